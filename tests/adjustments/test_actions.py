"""Adjustments of approved projects: proposed by the implementer, confirmed by the Department,
approved by the Agency (national) or the province (local); the change lands on the project."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.adjustments import actions
from khuyencong.adjustments.models import Adjustment
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import Role
from khuyencong.projects.models import ProjectState
from tests.conftest import _user
from tests.projects.factories import eligible_establishment, make_project

pytestmark = pytest.mark.django_db
S = ProjectState
DECISION = {"decision_number": "812/QĐ-BCT", "decision_date": dt.date(2026, 6, 10)}


@pytest.fixture
def agency_leader(django_user_model, territory):
    return _user(django_user_model, "cuc.lanhdao", Role.AGENCY_LEADER, "CUC-DMST")


@pytest.fixture
def provincial_leader(django_user_model, territory):
    return _user(django_user_model, "hatinh.lanhdao", Role.PROVINCIAL_LEADER, "UBND-42")


def _approved(level="national", state=S.CONTRACTED, **fields):
    return make_project(
        level=level,
        state=state,
        approved_support=150_000_000,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 10, 31),
        **fields,
    )


def _step(user, adjustment, action, **kwargs):
    adjustment.refresh_from_db()
    return actions.take_adjustment_step(user=user, adjustment=adjustment, action=action, **kwargs)


def test_a_national_timeline_adjustment_end_to_end(implementer, hatinh_officer, agency_leader):
    project = _approved()
    adjustment = actions.propose_adjustment(
        user=implementer,
        project=project,
        kind="timeline",
        reason="Bão số 3 làm ngập xưởng",
        cause="natural_disaster",
        cause_event="Bão Yagi",
        changes={"end_date": "2026-12-20"},
    )
    assert adjustment.state == "proposed" and adjustment.changes == {"end_date": "2026-12-20"}
    with pytest.raises(ActionRefused) as refused:  # the implementer does not confirm
        _step(implementer, adjustment, "confirm")
    assert refused.value.code == "forbidden"
    _step(hatinh_officer, adjustment, "confirm")
    with pytest.raises(ActionRefused) as refused:
        _step(agency_leader, adjustment, "approve")
    assert refused.value.code == "decision_required"
    with pytest.raises(ActionRefused) as refused:
        _step(agency_leader, adjustment, "approve_local", **DECISION)
    assert refused.value.code in {"forbidden", "wrong_level"}
    version = project.version
    done = _step(agency_leader, adjustment, "approve", **DECISION)
    assert done.state == "approved" and done.decision_number == "812/QĐ-BCT"
    assert done.before == {"start_date": "2026-03-01", "end_date": "2026-10-31"}
    project.refresh_from_db()
    assert project.end_date == dt.date(2026, 12, 20) and project.version == version + 1
    last = project.transitions.order_by("-pk").first()
    assert last.action == "adjust" and last.decision_number == "812/QĐ-BCT" and last.data["adjustment"] == done.pk
    assert [t.action for t in done.transitions.order_by("pk")] == ["propose", "confirm", "approve"]


def test_a_local_budget_adjustment_is_approved_by_the_province(
    implementer, hatinh_officer, provincial_leader, agency_leader
):
    project = _approved(level="local")
    adjustment = actions.propose_adjustment(
        user=implementer,
        project=project,
        kind="budget",
        reason="Giá thiết bị giảm",
        changes={"approved_support": 120_000_000},
    )
    _step(provincial_leader, adjustment, "confirm")
    with pytest.raises(ActionRefused) as refused:
        _step(agency_leader, adjustment, "approve", **DECISION)
    assert refused.value.code in {"forbidden", "not_found", "wrong_level"}
    _step(
        provincial_leader, adjustment, "approve_local", decision_number="55/QĐ-UBND", decision_date=dt.date(2026, 6, 1)
    )
    project.refresh_from_db()
    assert project.approved_support == 120_000_000


def test_budget_never_below_what_contracts_commit(implementer, hatinh_officer, agency_leader):
    from khuyencong.projects import adjust

    project = _approved()
    provider = adjust.register_commitment(lambda p: 140_000_000 if p.pk == project.pk else 0)
    try:
        adjustment = actions.propose_adjustment(
            user=implementer, project=project, kind="budget", reason="Giảm", changes={"approved_support": 100_000_000}
        )
        _step(hatinh_officer, adjustment, "confirm")
        with pytest.raises(ActionRefused) as refused:
            _step(agency_leader, adjustment, "approve", **DECISION)
        assert refused.value.code == "below_committed"
        adjustment.refresh_from_db()
        project.refresh_from_db()
        assert adjustment.state == "confirmed" and project.approved_support == 150_000_000
    finally:
        adjust._COMMITMENTS.remove(provider)


@pytest.mark.parametrize(("kind", "target"), [("stop", S.STOPPED), ("cancel", S.CANCELLED)])
def test_stop_and_cancel(kind, target, implementer, hatinh_officer, agency_leader):
    project = _approved(state=S.IN_PROGRESS)
    adjustment = actions.propose_adjustment(
        user=implementer,
        project=project,
        kind=kind,
        reason="Dịch COVID-19",
        cause="epidemic",
        cause_event="Dịch COVID-19",
    )
    _step(hatinh_officer, adjustment, "confirm")
    _step(agency_leader, adjustment, "approve", **DECISION)
    project.refresh_from_db()
    assert project.state == target
    assert project.transitions.get(to_state=target).data["adjustment"] == adjustment.pk


def test_a_local_project_is_cancelled_by_the_province(implementer, hatinh_officer, provincial_leader):
    project = _approved(level="local", state=S.APPROVED)
    adjustment = actions.propose_adjustment(user=implementer, project=project, kind="cancel", reason="Không đủ vốn")
    _step(hatinh_officer, adjustment, "confirm")
    _step(
        provincial_leader, adjustment, "approve_local", decision_number="9/QĐ-UBND", decision_date=dt.date(2026, 6, 1)
    )
    project.refresh_from_db()
    assert project.state == S.CANCELLED


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (S.SETTLED, "project_settled"),
        (S.SETTLEMENT_SUBMITTED, "project_settled"),
        (S.CLOSED, "project_settled"),
        (S.SUBMITTED, "wrong_state"),
    ],
)
def test_no_adjustment_outside_the_approved_states(state, code, implementer):
    project = _approved(state=state)
    with pytest.raises(ActionRefused) as refused:
        actions.propose_adjustment(
            user=implementer, project=project, kind="timeline", reason="Chậm", changes={"end_date": "2026-12-01"}
        )
    assert refused.value.code == code
    assert not Adjustment.objects.exists()


def test_the_project_settled_meanwhile_refuses_the_approval(implementer, hatinh_officer, agency_leader):
    project = _approved()
    adjustment = actions.propose_adjustment(
        user=implementer, project=project, kind="timeline", reason="Chậm", changes={"end_date": "2026-12-01"}
    )
    _step(hatinh_officer, adjustment, "confirm")
    type(project).objects.filter(pk=project.pk).update(state=S.SETTLED)
    with pytest.raises(ActionRefused) as refused:
        _step(agency_leader, adjustment, "approve", **DECISION)
    assert refused.value.code == "project_settled"
    adjustment.refresh_from_db()
    assert adjustment.state == "confirmed"


def test_wrong_role_other_province_and_bad_input(implementer, nghean_officer, hatinh_officer, agency_officer):
    project = _approved()
    with pytest.raises(ActionRefused) as refused:
        actions.propose_adjustment(
            user=nghean_officer, project=project, kind="timeline", reason="x", changes={"end_date": "2026-12-01"}
        )
    assert refused.value.code == "not_found"
    with pytest.raises(ActionRefused) as refused:
        actions.propose_adjustment(
            user=implementer,
            project=project,
            kind="budget",
            reason="x",
            changes={"approved_support": -5, "end_date": "x"},
        )
    assert refused.value.code == "validation_error"
    assert set(refused.value.errors) == {"changes", "changes.approved_support"}
    with pytest.raises(ActionRefused) as refused:
        actions.propose_adjustment(
            user=implementer, project=project, kind="timeline", reason="", cause="epidemic", changes={}
        )
    assert set(refused.value.errors) == {"reason", "cause_event", "changes.end_date"}
    adjustment = actions.propose_adjustment(
        user=implementer, project=project, kind="timeline", reason="Chậm", changes={"end_date": "2026-12-01"}
    )
    with pytest.raises(ActionRefused) as refused:
        _step(nghean_officer, adjustment, "confirm")
    assert refused.value.code == "not_found"
    with pytest.raises(ActionRefused) as refused:
        _step(agency_officer, adjustment, "confirm")
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionRefused) as refused:
        _step(hatinh_officer, adjustment, "reject")
    assert refused.value.code == "comment_required"
    _step(hatinh_officer, adjustment, "reject", comment="Thiếu hồ sơ chứng minh")
    adjustment.refresh_from_db()
    assert adjustment.state == "rejected"
    assert Adjustment.objects.count() == 1


def test_a_replacement_beneficiary(implementer, hatinh_officer, agency_leader):
    project = _approved()
    old = project.beneficiaries.get().establishment
    new = eligible_establishment()
    adjustment = actions.propose_adjustment(
        user=implementer,
        project=project,
        kind="beneficiary",
        reason="Cơ sở ngừng sản xuất",
        changes={"replace_establishment_id": old.pk, "establishment_id": new.pk},
    )
    _step(hatinh_officer, adjustment, "confirm")
    _step(agency_leader, adjustment, "approve", **DECISION)
    assert project.beneficiaries.get().establishment == new


def test_withdraw_by_the_proposer(implementer):
    project = _approved()
    adjustment = actions.propose_adjustment(
        user=implementer, project=project, kind="place", reason="Đổi xưởng", changes={"location": "Thôn 5"}
    )
    with pytest.raises(ActionRefused) as refused:
        actions.propose_adjustment(
            user=implementer, project=project, kind="place", reason="Lần nữa", changes={"location": "Thôn 6"}
        )
    assert refused.value.code == "already_open"
    assert _step(implementer, adjustment, "withdraw").state == "withdrawn"
