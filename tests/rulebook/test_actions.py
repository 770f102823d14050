"""Writing the rulebook: new versions supersede, versions in force are never edited, every refusal
is coded and leaves nothing changed, every change is in the change log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.organisation.models import Role
from khuyencong.rulebook import actions
from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level, SpendingNorm
from khuyencong.rulebook.services import applicable_rule
from khuyencong.territory.models import Province

pytestmark = pytest.mark.django_db
D = dt.date
M = 1_000_000
TODAY = dt.date.today()
NEXT_MONTH = TODAY + dt.timedelta(days=31)
MACHINERY = "spendingnorm/national/national/machinery/any/any/any"


def tt28():
    return LegalDocument.objects.get(number="28/2018/TT-BTC")


def machinery_values(**overrides):
    values = {"code": "machinery", "name": "Ứng dụng máy móc thiết bị tiên tiến", "level": Level.NATIONAL,
              "legal_document": tt28(), "effective_from": NEXT_MONTH, "percent_cap": 50, "amount_cap": 400 * M,
              "basis": "establishment", "line_multiplier": 1.5}  # fmt: skip
    values.update(overrides)
    return values


def add(user, **overrides):
    return actions.add_rule_version(
        user=user, rule_type=SpendingNorm, values=machinery_values(**overrides),
        contents=list(ActivityContent.objects.filter(code__in=["2012-03", "2025-03"])),
    )  # fmt: skip


def snapshot():
    return sorted(SpendingNorm.objects.filter(series=MACHINERY).values_list("pk", "effective_from", "effective_to",
                                                                             "amount_cap"))  # fmt: skip


@pytest.fixture
def admin(person_in_role):
    from tests.roles import ROLES

    return person_in_role(ROLES[0])


def test_new_version_supersedes_the_one_in_force(admin):
    current = applicable_rule(SpendingNorm, on=TODAY, code="machinery").rule
    new = add(admin)
    current.refresh_from_db()
    assert new.supersedes == current and current.effective_to == NEXT_MONTH - dt.timedelta(days=1)
    assert applicable_rule(SpendingNorm, on=TODAY, code="machinery").rule == current
    assert applicable_rule(SpendingNorm, on=NEXT_MONTH, code="machinery").rule == new
    content_type = ContentType.objects.get_for_model(SpendingNorm)
    assert ObjectChange.objects.filter(content_type=content_type, object_id=str(new.pk), action="create").exists()
    assert ObjectChange.objects.filter(content_type=content_type, object_id=str(current.pk), action="update").exists()


def test_overlapping_version_refused(admin):
    add(admin)
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        add(admin, effective_from=NEXT_MONTH - dt.timedelta(days=3))  # starts before the latest version
    assert refused.value.code == "overlapping_version"
    with pytest.raises(ActionRefused) as refused:
        add(admin, effective_from=NEXT_MONTH)
    assert refused.value.code == "overlapping_version"
    assert snapshot() == before


def test_rule_without_legal_basis_refused(admin):
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        add(admin, legal_document=None)
    assert refused.value.code == "no_legal_basis" and refused.value.field == "legal_document"
    assert snapshot() == before


def test_version_in_force_is_never_edited_or_deleted(admin):
    current = applicable_rule(SpendingNorm, on=TODAY, code="machinery").rule
    before = snapshot()
    with pytest.raises(ActionRefused) as refused:
        actions.change_rule_version(user=admin, rule=current, values={"amount_cap": 1})
    assert refused.value.code == "version_in_force"
    with pytest.raises(ActionRefused) as refused:
        actions.delete_rule_version(user=admin, rule=current)
    assert refused.value.code == "version_in_force"
    assert snapshot() == before


def test_future_version_may_be_corrected_or_deleted(admin):
    current = applicable_rule(SpendingNorm, on=TODAY, code="machinery").rule
    new = add(admin)
    later = NEXT_MONTH + dt.timedelta(days=10)
    actions.change_rule_version(user=admin, rule=new, values={"amount_cap": 350 * M, "effective_from": later})
    current.refresh_from_db()
    assert current.effective_to == later - dt.timedelta(days=1)
    with pytest.raises(Invalid) as invalid:
        actions.change_rule_version(user=admin, rule=new, values={"effective_from": TODAY})
    assert "effective_from" in invalid.value.errors
    actions.delete_rule_version(user=admin, rule=new)
    current.refresh_from_db()
    assert current.effective_to is None


def test_field_errors_are_reported_together(admin):
    with pytest.raises(Invalid) as invalid:
        add(admin, percent_cap=150, amount_cap=-5, effective_to=TODAY)
    assert {"percent_cap", "amount_cap", "effective_to"} <= set(invalid.value.errors)
    with pytest.raises(Invalid) as invalid:
        add(admin, level=Level.LOCAL)
    assert "province" in invalid.value.errors


def test_who_may_write_which_rule(person_in_role):
    from tests.roles import ROLES

    by_role = {case.role: case for case in ROLES}
    leader_42 = person_in_role(by_role[Role.PROVINCIAL_LEADER])
    agency_leader = person_in_role(by_role[Role.AGENCY_LEADER])
    officer = person_in_role(by_role[Role.PROVINCIAL_OFFICER])
    ha_tinh = Province.objects.current().get(code="42")
    nghe_an = Province.objects.current().get(code="40")
    resolution = LegalDocument.objects.create(
        number="99/2026/NQ-HĐND", doc_type="resolution", issuing_body="HĐND tỉnh Hà Tĩnh", title="Định mức",
        province=ha_tinh,
    )  # fmt: skip
    local = {"level": Level.LOCAL, "legal_document": resolution, "amount_cap": 250 * M}
    rule = add(leader_42, province=ha_tinh, **local)
    assert rule.series == "spendingnorm/local/42/machinery/any/any/any"
    with pytest.raises(ActionRefused) as refused:
        add(leader_42, province=nghe_an, **local)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(ActionRefused) as refused:
        add(leader_42)  # a national rule
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionRefused) as refused:
        add(agency_leader, province=nghe_an, **local)  # the agency does not write a province's norms
    assert refused.value.code == "forbidden"
    assert add(agency_leader).level == Level.NATIONAL
    with pytest.raises(ActionRefused) as refused:
        add(officer, province=ha_tinh, **local)
    assert refused.value.code == "forbidden"
    assert not SpendingNorm.objects.filter(province=nghe_an).exists()


def test_legal_document_create_and_edit(admin, person_in_role):
    from tests.roles import ROLES

    document = actions.save_legal_document(
        user=admin, values={"number": "99/2026/TT-BTC", "doc_type": "circular", "issuing_body": "Bộ Tài chính",
                            "title": "Thông tư thử", "effective_from": D(2026, 12, 1)},
        amends=[tt28()],
    )  # fmt: skip
    assert list(document.amends.all()) == [tt28()]
    with pytest.raises(Invalid) as invalid:
        actions.save_legal_document(user=admin, values={"number": "28/2018/TT-BTC", "doc_type": "circular",
                                                        "issuing_body": "BTC", "title": "Trùng"})  # fmt: skip
    assert "number" in invalid.value.errors
    with pytest.raises(Invalid) as invalid:
        actions.save_legal_document(user=admin, instance=document, values={"expires_on": D(2026, 1, 1)})
    assert "expires_on" in invalid.value.errors
    viewer = person_in_role(ROLES[-1])
    with pytest.raises(ActionRefused) as refused:
        actions.save_legal_document(user=viewer, instance=document, values={"title": "x"})
    assert refused.value.code == "forbidden"
    document.refresh_from_db()
    assert document.title == "Thông tư thử"
