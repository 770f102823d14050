"""Managing report forms and who sends them (reporting/form_views.py, actions.save_report_form and
assign_form): the Agency creates and edits a form with its indicators (kind, range, the system
figure that pre-fills it) and assigns it to units; others are refused; bad input names its field
and writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.reporting import actions
from khuyencong.reporting.models import FormAssignment, Indicator, ReportForm, ReportValue
from tests.reporting.factories import make_form, make_report, unit

pytestmark = pytest.mark.django_db


def form_post(rows, **fields):
    data = {"code": "BC-TM", "name": "Báo cáo thử nghiệm", "period_type": "quarter", "level": "national",
            "legal_basis": "", "description": "", "is_active": "on", **fields}  # fmt: skip
    data.update({"ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0",
                 "ind-MAX_NUM_FORMS": "1000"})  # fmt: skip
    for n, row in enumerate(rows):
        base = {"code": "", "name": "", "unit": "", "kind": "integer", "min_value": "", "max_value": "",
                "required": "on", "source": ""}  # fmt: skip
        for key, value in {**base, **row}.items():
            if value is not None:
                data[f"ind-{n}-{key}"] = value
    return data


ROWS = [
    {"code": "kp01", "name": "Kinh phí đã giải ngân", "unit": "đồng", "kind": "money", "min_value": "0",
     "source": "finance.disbursed"},
    {"code": "TL01", "name": "Tỷ lệ hoàn thành", "unit": "%", "kind": "percent", "min_value": "0",
     "max_value": "100"},
    {"code": "", "name": ""},  # an empty row is ignored
]  # fmt: skip


def test_the_agency_creates_a_form_with_a_source_picker_and_assigns_it(territory, agency_officer, client_for):
    client = client_for(agency_officer)
    page = client.get(reverse("reporting:form_create")).content.decode()
    assert 'value="finance.disbursed"' in page and 'value="projects.count_in_progress"' in page
    response = client.post(reverse("reporting:form_create"), form_post(ROWS))
    assert response.status_code == 302
    form = ReportForm.objects.get(code="BC-TM")
    indicators = list(form.indicators.order_by("position").values_list("code", "kind", "source", "max_value"))
    assert indicators == [("KP01", "money", "finance.disbursed", None), ("TL01", "percent", "", 100)]
    response = client.post(reverse("reporting:form_assign", args=[form.pk]),
                           {"units": ["SCT-42", "SCT-40"], "from_year": "2025", "due_days": "20"})  # fmt: skip
    assert response.status_code == 302
    assignment = FormAssignment.objects.get(form=form)
    assert sorted(u.code for u in assignment.units.all()) == ["SCT-40", "SCT-42"] and assignment.due_days == 20
    listing = client.get(reverse("reporting:form_list")).content.decode()
    assert "BC-TM" in listing and "finance.disbursed" in listing
    # The assignment drives the expected reports.
    assert actions.materialise_reports(user=agency_officer, form=form, year=2025) == 8


def test_editing_keeps_indicators_that_reports_hold(territory, agency_officer, client_for):
    form = make_form(code="BC-SUA", units=[unit("SCT-42")])
    make_report(form, unit("SCT-42"))
    client = client_for(agency_officer)
    page = client.get(reverse("reporting:form_edit", args=[form.pk])).content.decode()
    assert 'value="SL01"' in page
    before = list(Indicator.objects.filter(form=form).values_list("code", "name"))
    response = client.post(reverse("reporting:form_edit", args=[form.pk]),
                           form_post([{"code": "SL01", "name": "Đề án"}], code="BC-SUA"))  # fmt: skip
    assert response.status_code == 422
    assert "Các báo cáo đã có số liệu" in response.content.decode() or "KP01" in response.content.decode()
    assert list(Indicator.objects.filter(form=form).values_list("code", "name")) == before
    assert ReportValue.objects.filter(report__form=form).count() == 4


@pytest.mark.parametrize(
    ("rows", "fields", "error_field"),
    [
        ([{"code": "A", "name": "A", "min_value": "10", "max_value": "5"}], {}, "indicators.0.max_value"),
        ([{"code": "A", "name": "A", "source": "khong.co"}], {}, "indicators.0.source"),
        ([{"code": "A", "name": "A"}, {"code": "a", "name": "B"}], {}, "indicators.1.code"),
        ([{"code": "A", "name": "A", "kind": "text", "source": "finance.allocated"}], {}, "indicators.0.kind"),
        ([], {}, "indicators"),
        ([{"code": "A", "name": "A"}], {"code": "BC-CO"}, "code"),
    ],
)
def test_bad_forms_name_their_field_and_write_nothing(territory, agency_officer, rows, fields, error_field):
    make_form(code="BC-CO")
    before = (ReportForm.objects.count(), Indicator.objects.count())
    values = {"code": "BC-TM", "name": "Thử", "period_type": "quarter", "level": "national", **fields}
    inputs = [actions.IndicatorInput(**{"kind": "integer", **row}) for row in rows]
    with pytest.raises(Invalid) as caught:
        actions.save_report_form(user=agency_officer, values=values, indicators=inputs)
    assert error_field in caught.value.errors
    assert (ReportForm.objects.count(), Indicator.objects.count()) == before


def test_a_bad_form_on_the_page_shows_the_message_at_its_row(territory, agency_officer, client_for):
    response = client_for(agency_officer).post(
        reverse("reporting:form_create"), form_post([{"code": "A", "name": "A", "min_value": "10", "max_value": "5"}])
    )
    html = response.content.decode()
    assert response.status_code == 422 and "Giá trị lớn nhất không được nhỏ hơn giá trị nhỏ nhất." in html
    assert not ReportForm.objects.filter(code="BC-TM").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"from_year": "2025"}, "units"),
        ({"unit_kind": "doit", "units": ["SCT-42"], "from_year": "2025"}, "units"),
        ({"unit_kind": "doit", "from_year": "2026", "to_year": "2025"}, "to_year"),
        ({"unit_kind": "doit", "from_year": "1850"}, "from_year"),
    ],
)
def test_bad_assignments_are_refused_and_write_nothing(territory, agency_officer, client_for, data, field):
    form = make_form(code="BC-GIAO")
    before = FormAssignment.objects.count()
    response = client_for(agency_officer).post(
        reverse("reporting:form_assign", args=[form.pk]), {"due_days": "15", **data}
    )
    assert response.status_code == 422
    assert response.context["form"].errors.get(field)
    assert FormAssignment.objects.count() == before


def test_others_may_not_manage_forms(territory, hatinh_officer, outsider, client_for):
    form = make_form(code="BC-CAM")
    for user in (hatinh_officer, outsider):
        client = client_for(user)
        urls = [reverse("reporting:form_list"), reverse("reporting:form_create")]
        urls += [reverse("reporting:form_edit", args=[form.pk]), reverse("reporting:form_assign", args=[form.pk])]
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(reverse("reporting:form_create"), form_post(ROWS)).status_code == 403
    with pytest.raises(ActionRefused) as caught:
        actions.assign_form(user=hatinh_officer, form=form, unit_kind="doit", from_year=2025)
    assert caught.value.status == 403
    assert not ReportForm.objects.filter(code="BC-TM").exists()


def test_an_unknown_form_is_not_found(territory, agency_officer, client_for):
    client = client_for(agency_officer)
    assert client.get(reverse("reporting:form_edit", args=[999999])).status_code == 404
    form = make_form(code="BC-404")
    other = make_form(code="BC-KHAC")
    foreign = other.assignments.first()
    assert client.get(reverse("reporting:form_assignment", args=[form.pk, foreign.pk])).status_code == 404
