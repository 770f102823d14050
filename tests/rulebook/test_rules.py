"""The seeded rulebook and the one lookup every later check calls."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.rulebook.models import (
    ActivityContent,
    AdvanceRule,
    DeadlineRule,
    DossierList,
    Level,
    SpendingNorm,
)
from khuyencong.rulebook.services import (
    applicable_rule,
    check_support,
    compute_deadline,
    deadline,
    jurisdiction_provinces,
    support_ceiling,
)
from khuyencong.territory.models import Province

pytestmark = pytest.mark.django_db

D = dt.date
M = 1_000_000


def content(code: str) -> ActivityContent:
    return ActivityContent.objects.get(code=code)


def norm(code: str, on: dt.date, **kwargs):
    catalogue = "2025-03" if on >= D(2025, 10, 15) else "2012-03"
    return applicable_rule(SpendingNorm, on=on, content=kwargs.pop("content", content(catalogue)), code=code, **kwargs)


@pytest.mark.parametrize(
    ("code", "on", "cap", "document"),
    [
        ("demonstration_model", D(2014, 4, 8), 500 * M, "26/2014/TTLT-BTC-BCT"),
        ("demonstration_model", D(2018, 5, 10), 500 * M, "26/2014/TTLT-BTC-BCT"),
        ("demonstration_model", D(2018, 5, 11), 1000 * M, "28/2018/TT-BTC"),
        ("demonstration_model", D(2026, 3, 1), 1000 * M, "28/2018/TT-BTC"),
        ("machinery", D(2017, 12, 31), 200 * M, "26/2014/TTLT-BTC-BCT"),
        ("machinery", D(2019, 6, 1), 300 * M, "28/2018/TT-BTC"),
    ],
)
def test_national_norms_change_on_11_5_2018(code, on, cap, document):
    answer = norm(code, on)
    assert answer.found and answer.rule.amount_cap == cap
    assert answer.legal_document.number == document


def test_full_line_is_one_and_a_half_times_the_machinery_cap():
    rule = norm("machinery", D(2019, 1, 1)).rule
    assert rule.line_cap() == 450 * M
    assert support_ceiling(rule, 2000 * M, full_line=True) == 450 * M
    assert support_ceiling(rule, 2000 * M) == 300 * M
    assert support_ceiling(rule, 400 * M) == 200 * M  # 50 % of the eligible cost is lower


def test_support_check_is_the_lower_of_share_and_cap():
    rule = norm("demonstration_model", D(2020, 1, 1)).rule
    assert check_support(rule, eligible_cost=2000 * M, support=600 * M).ok
    refused = check_support(rule, eligible_cost=2000 * M, support=600 * M + 1)
    assert not refused.ok and refused.allowed == 600 * M and "600.000.000" in refused.message
    assert not check_support(rule, eligible_cost=2000 * M, support=-1).ok


def test_unconfirmed_figures_are_marked():
    assert norm("cleaner_production_pilot", D(2020, 1, 1), content=content("2012-05")).rule.unconfirmed
    assert norm("replication", D(2020, 1, 1)).rule.unconfirmed
    assert not norm("replication", D(2016, 1, 1)).rule.unconfirmed
    # the TT 28/2018 figure for pollution treatment was not seen: no rule rather than a guess
    assert not norm("pollution_treatment", D(2020, 1, 1), content=content("2012-05")).found
    assert norm("pollution_treatment", D(2016, 1, 1), content=content("2012-05")).rule.unconfirmed


def test_founding_an_enterprise_only_in_a_disadvantaged_area():
    start_up = content("2012-02")
    assert norm("founding_enterprise", D(2020, 1, 1), content=start_up, disadvantaged=True).rule.amount_cap == 10 * M
    assert not norm("founding_enterprise", D(2020, 1, 1), content=start_up, disadvantaged=False).found


def test_dak_lak_local_norms_and_no_fallback_to_national():
    dak_lak = Province.objects.current().get(code="66")
    local = norm("demonstration_model", D(2026, 1, 1), level=Level.LOCAL, province=dak_lak)
    assert local.rule.amount_cap == 800 * M and local.rule.province == dak_lak
    assert local.legal_document.number == "NQ-HĐND Đắk Lắk 2025"
    pilot = norm("cleaner_production_pilot", D(2026, 1, 1), content=content("2025-05"), level=Level.LOCAL,
                 province=dak_lak)  # fmt: skip
    assert pilot.rule.amount_cap == 400 * M
    assert not norm("demonstration_model", D(2025, 7, 25), level=Level.LOCAL, province=dak_lak).found
    ha_tinh = Province.objects.current().get(code="42")
    missing = norm("demonstration_model", D(2026, 1, 1), level=Level.LOCAL, province=ha_tinh)
    assert missing.reason == "no_rule" and "Hà Tĩnh" in missing.message
    assert norm("demonstration_model", D(2026, 1, 1), level=Level.LOCAL).reason == "no_province"
    # the national norm stays national wherever the project is
    assert norm("demonstration_model", D(2026, 1, 1), province=dak_lak).rule.amount_cap == 1000 * M


def test_legacy_province_maps_to_its_successor():
    dak_lak = Province.objects.current().get(code="66")
    legacy = Province.objects.legacy().filter(successor=dak_lak).exclude(code="66").first()
    assert legacy is not None  # Phú Yên
    assert dak_lak.pk in jurisdiction_provinces(legacy)
    answer = norm("demonstration_model", D(2026, 1, 1), level=Level.LOCAL, province=legacy)
    assert answer.rule.amount_cap == 800 * M


def test_advance_rules():
    training = applicable_rule(AdvanceRule, on=D(2019, 1, 1), content=content("2012-01"))
    assert training.rule.first_advance_percent == 70 and training.rule.unconfirmed
    cluster = applicable_rule(AdvanceRule, on=D(2019, 1, 1), code="advance_cluster")
    assert cluster.rule.first_advance_percent == 30 and "50%" in cluster.rule.conditions
    models = applicable_rule(AdvanceRule, on=D(2019, 1, 1), content=content("2012-03"))
    assert models.rule.payment_after_acceptance and models.rule.unconfirmed
    # content 8 has two advance rules (services 70 %, clusters 30 %): say which
    assert applicable_rule(AdvanceRule, on=D(2019, 1, 1), content=content("2012-08")).reason == "ambiguous"


def test_dossier_lists_are_provisional():
    answer = applicable_rule(DossierList, on=D(2026, 1, 1), content=content("2025-01"))
    assert "Kế hoạch đào tạo (Mẫu 11)" in answer.rule.documents and answer.rule.unconfirmed


def test_deadlines_of_four_shapes():
    on = D(2020, 3, 1)
    assert deadline("registration_to_province", on=on, year=2021)[0] == D(2020, 5, 20)
    assert deadline("settlement_dossier", on=on, event_date=D(2020, 11, 20))[0] == D(2020, 12, 5)
    assert deadline("liquidation", on=on, year=2020)[0] == D(2021, 1, 22)
    due, answer = deadline("contract_signing", on=on, year=2020)
    assert due == D(2020, 5, 15) and answer.legal_document.number == "2990/BCT-CTĐP"
    assert deadline("revised_proposals", on=on, year=2020)[0] == D(2020, 5, 25)
    # a one-off directive is for its year only
    assert deadline("contract_signing", on=on, year=2021)[0] is None
    assert deadline("contract_signing", on=D(2021, 3, 1), year=2020)[0] is None


def test_one_off_directive_scoped_to_provinces(admin_user):
    from khuyencong.rulebook.actions import add_rule_version

    ha_tinh = Province.objects.current().get(code="42")
    nghe_an = Province.objects.current().get(code="40")
    rule = add_rule_version(
        user=admin_user, rule_type=DeadlineRule,
        values={"code": "report_2019", "name": "Báo cáo 2019", "shape": "one_off", "due_on": D(2019, 12, 15),
                "applies_to_year": 2019, "effective_from": D(2019, 11, 7), "effective_to": D(2019, 12, 31),
                "legal_document": DeadlineRule._meta.get_field("legal_document").related_model.objects.get(
                    number="8474/BCT-CTĐP")},
        provinces=[ha_tinh],
    )  # fmt: skip
    assert deadline("report_2019", on=D(2019, 12, 1), year=2019, province=ha_tinh)[1].rule == rule
    assert deadline("report_2019", on=D(2019, 12, 1), year=2019, province=nghe_an)[0] is None


def test_compute_deadline_needs_what_its_shape_needs():
    annual = DeadlineRule(shape="annual", month=2, day=29, year_offset=0)
    assert compute_deadline(annual, year=2023) == D(2023, 2, 28)
    with pytest.raises(ValueError):
        compute_deadline(annual)
    with pytest.raises(ValueError):
        compute_deadline(DeadlineRule(shape="offset", offset_days=15))
