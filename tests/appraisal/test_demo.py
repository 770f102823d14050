"""The demo councils: Department councils of Hà Tĩnh and Nghệ An with full sheets and conclusions
that moved their projects, and the Agency's council over the projects sent to the Agency."""

import pytest

from khuyencong.appraisal import services
from khuyencong.appraisal.models import Council
from khuyencong.demo.appraisal import load_appraisal
from khuyencong.demo.registry import load_registry
from khuyencong.organisation.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_councils_are_filled_and_idempotent(territory):
    load_demo()
    load_registry(establishments=200)
    first = load_appraisal()
    assert len(first["councils_added"]) == 3, first
    for code in ("42", "40"):
        council = Council.objects.get(level="local", province__code=code)
        assert council.members.count() == 5 and council.criteria.count() == 5
        results = services.review_results(council)
        assert len(results) >= 3
        assert all(len(r.submitted) == 5 for r in results[:3])
        assert len(results) == 4 and results[3].review.conclusion == "" and len(results[3].submitted) == 3
        assert [r.review.conclusion for r in results[:3]] == ["pass", "pass", "needs_documents"]
        assert results[0].review.project.state == "at_agency"
    agency = Council.objects.get(level="national")
    assert agency.province is None and agency.reviews.count() >= 4
    assert agency.reviews.filter(conclusion="pass").count() == 1
    again = load_appraisal()
    assert again["councils_added"] == [] and again["councils"] == 3
