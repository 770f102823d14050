"""The rules of a report: figures in range, reasons for differences, the unit's own report, the
level above reviews, approval locks, a return needs its reason, no report before a unit existed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.reporting import actions
from khuyencong.reporting.models import ReportState, ReportTransition, ReportValue, UnitTerm
from tests.reporting.factories import GOOD, make_form, make_report, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(territory):
    return make_report(make_form(), unit("SCT-42"))


def values_of(report):
    return {v.indicator.code: v for v in ReportValue.objects.filter(report=report).select_related("indicator")}


def test_the_unit_saves_and_submits_its_report(report, hatinh_officer):
    saved = actions.save_values(user=hatinh_officer, report=report, values=GOOD)
    assert saved.state == ReportState.DRAFT
    assert values_of(saved)["KP01"].reported_value == Decimal("2080000000")
    assert values_of(saved)["TL01"].reported_value == Decimal("87.5")
    done = actions.submit_report(user=hatinh_officer, report=saved)
    assert done.state == ReportState.SUBMITTED and done.submitted_on is not None
    assert list(ReportTransition.objects.filter(report=report).values_list("action", flat=True)) == ["start", "submit"]


def test_a_figure_out_of_range_is_refused_per_field_and_nothing_is_written(report, hatinh_officer):
    with pytest.raises(Invalid) as caught:
        actions.save_values(user=hatinh_officer, report=report, values={**GOOD, "TL01": {"value": "120"},
                                                                        "KP01": {"value": "-5"}})  # fmt: skip
    assert set(caught.value.errors) == {"values.TL01", "values.KP01"}
    assert "100" in caught.value.errors["values.TL01"]
    report.refresh_from_db()
    assert report.state == ReportState.EXPECTED and values_of(report)["TL01"].reported_value is None


def test_a_figure_that_differs_from_the_system_needs_its_reason(report, hatinh_officer):
    with pytest.raises(Invalid) as caught:
        actions.save_values(user=hatinh_officer, report=report, values={**GOOD, "SL01": {"value": "5"}})
    assert "system" in caught.value.errors["values.SL01"] or "hệ thống" in caught.value.errors["values.SL01"]
    saved = actions.save_values(user=hatinh_officer, report=report,
                                values={**GOOD, "SL01": {"value": "5", "reason": "Hai đề án địa phương"}})  # fmt: skip
    assert values_of(saved)["SL01"].correction_reason == "Hai đề án địa phương"


def test_not_a_number_and_not_whole_are_refused(report, hatinh_officer):
    with pytest.raises(Invalid) as caught:
        actions.save_values(user=hatinh_officer, report=report, values={"SL01": "ba", "KP01": "1,5"})
    assert set(caught.value.errors) == {"values.SL01", "values.KP01"}


def test_submitting_needs_every_required_figure(report, hatinh_officer):
    actions.save_values(user=hatinh_officer, report=report, values={"SL01": "3"})
    with pytest.raises(Invalid) as caught:
        actions.submit_report(user=hatinh_officer, report=report)
    assert {"values.KP01", "values.TL01"} <= set(caught.value.errors)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_another_province_may_not_fill_the_report(report, nghean_officer):
    with pytest.raises(ActionRefused) as caught:
        actions.save_values(user=nghean_officer, report=report, values=GOOD)
    assert caught.value.status == 404


def test_the_province_does_not_fill_its_implementers_report(territory, hatinh_officer):
    report = make_report(make_form(), unit("TTKC-42"))
    with pytest.raises(ActionRefused) as caught:
        actions.save_values(user=hatinh_officer, report=report, values=GOOD)
    assert caught.value.code == "forbidden"


def submitted(report, user):
    actions.save_values(user=user, report=report, values=GOOD)
    return actions.submit_report(user=user, report=report)


def test_the_agency_approves_and_approval_locks(report, hatinh_officer, agency_officer):
    report = submitted(report, hatinh_officer)
    with pytest.raises(ActionRefused) as caught:  # the unit does not review its own report
        actions.approve_report(user=hatinh_officer, report=report)
    assert caught.value.status == 403
    approved = actions.approve_report(user=agency_officer, report=report)
    assert approved.state == ReportState.APPROVED and approved.approved_on == dt.date.today()
    attempts = (
        lambda: actions.submit_report(user=hatinh_officer, report=approved),
        lambda: actions.save_values(user=hatinh_officer, report=approved, values={"SL01": "3"}),
    )
    for attempt in attempts:
        with pytest.raises(ActionRefused) as caught:
            attempt()
        assert caught.value.code == "locked"
    with pytest.raises(ActionRefused) as caught:
        actions.return_report(user=agency_officer, report=approved, comment="Sai số liệu")
    assert caught.value.code == "locked"


def test_a_return_needs_a_comment_and_the_unit_resubmits(report, hatinh_officer, agency_officer):
    report = submitted(report, hatinh_officer)
    with pytest.raises(ActionRefused) as caught:
        actions.return_report(user=agency_officer, report=report, comment="  ")
    assert caught.value.code == "comment_required"
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    returned = actions.return_report(user=agency_officer, report=report, comment="Bổ sung số liệu quý")
    assert returned.state == ReportState.RETURNED and returned.return_comment == "Bổ sung số liệu quý"
    again = actions.submit_report(user=hatinh_officer, report=returned)
    assert again.state == ReportState.SUBMITTED and again.return_comment == ""


def test_a_stale_version_is_refused(report, hatinh_officer):
    actions.save_values(user=hatinh_officer, report=report, values={"SL01": "3"})
    with pytest.raises(ActionRefused) as caught:
        actions.save_values(user=hatinh_officer, report=report, values={"SL01": "3"}, version=0)
    assert caught.value.code == "stale"


def test_a_unit_may_not_report_for_a_period_before_it_existed(territory, hatinh_officer):
    sct = unit("SCT-42")
    UnitTerm.objects.create(org_unit=sct, opened_on=dt.date(2025, 7, 1))
    report = make_report(make_form(), sct)  # Q1/2025
    with pytest.raises(ActionRefused) as caught:
        actions.save_values(user=hatinh_officer, report=report, values=GOOD)
    assert caught.value.code == "before_unit_opened"
    report.refresh_from_db()
    assert report.state == ReportState.EXPECTED


def test_a_period_not_over_cannot_be_submitted(territory, hatinh_officer):
    today = dt.date.today()
    report = make_report(make_form(period="year"), unit("SCT-42"), start=dt.date(today.year, 1, 1),
                         end=dt.date(today.year, 12, 31))  # fmt: skip
    actions.save_values(user=hatinh_officer, report=report, values=GOOD)
    with pytest.raises(ActionRefused) as caught:
        actions.submit_report(user=hatinh_officer, report=report)
    assert caught.value.code == "period_not_over"


def test_a_local_form_is_reviewed_by_the_department(territory, hatinh_officer, implementer, agency_officer):
    report = make_report(make_form(level="local", unit_kind="provincial_centre"), unit("TTKC-42"))
    report = submitted(report, implementer)
    with pytest.raises(ActionRefused) as caught:
        actions.approve_report(user=agency_officer, report=report)
    assert caught.value.status == 403
    assert actions.approve_report(user=hatinh_officer, report=report).state == ReportState.APPROVED
