"""The change log also records many-to-many links, the rule and catalogue tables, and no log-ins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.audit import log_m2m_change, log_m2m_changes
from khuyencong.kernel.context import acting_as
from khuyencong.registry.models import DuplicateCandidate, EligibilityRule, Establishment, IndustryLine
from khuyencong.rulebook.models import LegalDocument
from tests.conftest import PASSWORD
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db


def changes_of(obj):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("time", "id")


def lines(*codes):
    return [IndustryLine.objects.create(code=code, name=f"Ngành {code}", catalogue="TEST") for code in codes]


def link_changes(obj):
    return [
        (e.prechange_data["industry_lines"], e.postchange_data["industry_lines"])
        for e in changes_of(obj).filter(action="update")
        if "industry_lines" in (e.postchange_data or {})
    ]


def test_set_logs_the_relation_before_and_after_with_user_and_request(hatinh_officer):
    first, second, third = lines("9101", "9102", "9103")
    establishment = make_establishment()
    establishment.industry_lines.add(first)
    with acting_as(hatinh_officer, "req-m2m-0001"):
        establishment.industry_lines.set([second, third])
    entries = [e for e in changes_of(establishment) if e.request_id == "req-m2m-0001"]
    # set() removes then adds: two steps, each with the relation as it stood before and after.
    assert [(e.prechange_data, e.postchange_data) for e in entries] == [
        ({"industry_lines": [first.pk]}, {"industry_lines": []}),
        ({"industry_lines": []}, {"industry_lines": sorted([second.pk, third.pk])}),
    ]
    assert all(e.user_id == hatinh_officer.pk and e.action == "update" for e in entries)
    assert entries[-1].changed_fields == [("industry_lines", [], sorted([second.pk, third.pk]))]


def test_add_remove_clear_and_no_op_changes():
    first, second = lines("9201", "9202")
    establishment = make_establishment()
    establishment.industry_lines.add(first, second)
    establishment.industry_lines.add(first)  # already linked: nothing changes
    establishment.industry_lines.remove(first)
    establishment.industry_lines.clear()
    assert link_changes(establishment) == [
        ([], sorted([first.pk, second.pk])),
        (sorted([first.pk, second.pk]), [second.pk]),
        ([second.pk], []),
    ]


def test_changes_from_the_other_side_are_logged_on_the_establishment():
    (line,) = lines("9301")
    one, two = make_establishment(), make_establishment()
    line.establishments.add(one, two)
    line.establishments.clear()
    assert link_changes(one) == [([], [line.pk]), ([line.pk], [])]
    assert link_changes(two) == [([], [line.pk]), ([line.pk], [])]


def test_bulk_writers_log_through_the_helper(hatinh_officer):
    first, second = lines("9401", "9402")
    establishment = make_establishment()
    establishment.industry_lines.add(first)
    through = Establishment.industry_lines.through
    ObjectChange.objects.all().delete()
    with acting_as(hatinh_officer, "req-bulk-0001"):
        through.objects.filter(establishment=establishment).delete()
        through.objects.create(establishment=establishment, industryline=second)
        log_m2m_change(establishment, "industry_lines", added_ids=[second.pk], removed_ids=[first.pk])
        log_m2m_change(establishment, "industry_lines", added_ids=[], removed_ids=[])  # nothing to say
    entry = changes_of(establishment).get()
    assert entry.prechange_data == {"industry_lines": [first.pk]}
    assert entry.postchange_data == {"industry_lines": [second.pk]}
    assert (entry.user_id, entry.request_id) == (hatinh_officer.pk, "req-bulk-0001")


def test_bulk_helper_logs_each_changed_relation_once(hatinh_officer):
    first, second = lines("9411", "9412")
    one, two, same = make_establishment(), make_establishment(), make_establishment()
    ObjectChange.objects.all().delete()
    with acting_as(hatinh_officer, "req-bulk-0002"):
        log_m2m_changes(
            [
                (one, "industry_lines", [], [first.pk, second.pk]),
                (two, "industry_lines", [first.pk], [second.pk]),
                (same, "industry_lines", [first.pk], [first.pk]),
            ]
        )
    assert link_changes(one) == [([], sorted([first.pk, second.pk]))]
    assert link_changes(two) == [([first.pk], [second.pk])]
    assert not changes_of(same).exists()
    assert set(ObjectChange.objects.values_list("request_id", flat=True)) == {"req-bulk-0002"}


def test_helper_refuses_a_field_that_is_not_many_to_many():
    establishment = make_establishment()
    with pytest.raises(ValueError):
        log_m2m_change(establishment, "name", added_ids=[1])


def test_rule_catalogue_and_duplicate_decisions_are_change_logged(admin_user):
    with acting_as(admin_user):
        rule = EligibilityRule.objects.create(
            legal_document=LegalDocument.objects.get(number="45/2012/NĐ-CP"),
            legal_basis="Nghị định thử",
            effective_from=dt.date(2030, 1, 1),
            clauses=[],
        )
        rule.clauses = [{"text": "xã", "unit_types": ["commune"]}]
        rule.save()
        (line,) = lines("9501")
        first, second = make_establishment(name="Cơ sở Đôi"), make_establishment(name="Cơ sở đôi")
        candidate = DuplicateCandidate.objects.create(
            first=first, second=second, province_id=first.province_id, reason="same_name_commune"
        )
        DuplicateCandidate.objects.filter(pk=candidate.pk).update(status="dismissed")
    assert [e.action for e in changes_of(rule)] == ["create", "update"]
    assert changes_of(rule).last().postchange_data["clauses"] == [{"text": "xã", "unit_types": ["commune"]}]
    assert changes_of(line).get().action == "create"
    assert [e.action for e in changes_of(candidate)] == ["create", "update"]
    assert changes_of(candidate).last().postchange_data["status"] == "dismissed"
    assert all(e.user_id == admin_user.pk for e in changes_of(candidate))


def test_logging_in_writes_no_anonymous_update(client, hatinh_officer):
    ObjectChange.objects.all().delete()
    response = client.post("/accounts/login/", {"username": hatinh_officer.username, "password": PASSWORD})
    assert response.status_code == 302
    hatinh_officer.refresh_from_db()
    assert hatinh_officer.last_login is not None
    assert not ObjectChange.objects.filter(user_id__isnull=True).exists()
    assert not changes_of(hatinh_officer).exists()


def test_an_ordinary_user_edit_is_still_logged(admin_user, hatinh_officer):
    with acting_as(admin_user):
        hatinh_officer.phone = "0912 345 678"
        hatinh_officer.save()
    assert changes_of(hatinh_officer).last().postchange_data["phone"] == "0912 345 678"


def test_the_import_logs_industry_line_links_it_writes(tmp_path, hatinh_officer):
    from khuyencong.registry import imports
    from khuyencong.territory.models import Commune
    from tests.registry.fixtures.builders import row, tax_code, write_xlsx

    weaving, dyeing = lines("1623", "1391")
    commune = Commune.objects.current().filter(province__code="42").order_by("code").first().code
    rows = [row(commune, **{"Mã số thuế": tax_code(61), "Ngành nghề": "1623; 1391"})]
    assert imports.commit(write_xlsx(tmp_path / "f.xlsx", rows), hatinh_officer).counts["new"] == 1
    created = Establishment.objects.get(tax_code=tax_code(61))
    assert link_changes(created) == [([], sorted([weaving.pk, dyeing.pk]))]

    rows[0]["Ngành nghề"] = "1623"
    assert imports.commit(write_xlsx(tmp_path / "g.xlsx", rows), hatinh_officer).counts["updated"] == 1
    assert link_changes(created)[-1] == (sorted([weaving.pk, dyeing.pk]), [weaving.pk])
    entry = changes_of(created).last()
    assert entry.user_id == hatinh_officer.pk and entry.request_id
