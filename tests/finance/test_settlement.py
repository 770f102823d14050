"""Acceptance of each beneficiary line, then the settlement: every refusal is coded, says why and
writes nothing; the approved settlement settles the project, writes the ledger's settlement entry
and what is to be recovered, and the accounts still equal their entries."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.finance import accounts, actions
from khuyencong.finance.acceptance import record_acceptance
from khuyencong.finance.models import (
    AcceptanceRecord,
    Account,
    EntryKind,
    LedgerEntry,
    Settlement,
    SettlementState,
    SettlementTransition,
)
from khuyencong.finance.settlement import (
    approve_settlement,
    check_settlement,
    liquidation_due,
    overdue_liquidations,
    return_settlement,
    settle_from_acceptance,
    submit_settlement_dossier,
)
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from khuyencong.rulebook.models import Level
from tests.finance.settlement_factories import ACCEPTED_ON, accept_all, running_project

pytestmark = pytest.mark.django_db
SENT_ON = dt.date(2026, 10, 25)
DECIDED_ON = dt.date(2026, 11, 5)


def snapshot():
    return (
        list(AcceptanceRecord.objects.order_by("pk").values()),
        list(Settlement.objects.order_by("pk").values()),
        SettlementTransition.objects.count(),
        list(LedgerEntry.objects.order_by("pk").values("pk", "amount", "kind", "status")),
        list(Account.objects.order_by("pk").values("committed", "disbursed", "settled")),
        list(Project.objects.order_by("pk").values("pk", "state", "version", "settled_on", "accepted_on")),
        ProjectTransition.objects.count(),
    )


def refused(code, call, **kwargs):
    before = snapshot()
    with pytest.raises(ActionRefused) as caught:
        call(**kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    assert caught.value.message
    assert snapshot() == before
    return caught.value


@pytest.fixture
def finance_officer(django_user_model):
    user = django_user_model.objects.create_user(username="stc", password="x", full_name="Sở Tài chính")
    assign_role(user=user, role=Role.PROVINCIAL_FINANCE, org_unit=OrgUnit.objects.get(code="STC-42"))
    return user


def line_of(project, n=1):
    return project.beneficiaries.order_by("position")[n - 1]


def accept(user, line, passed=True, on=ACCEPTED_ON, **extra):
    values = {"achieved": "Đào tạo 30 lao động", "record_number": "BB-01", **extra}
    return record_acceptance(user=user, line=line, passed=passed, accepted_on=on, **values)


def test_the_last_passing_line_accepts_the_project(implementer):
    project = running_project()
    first = accept(implementer, line_of(project, 1))
    assert first.target_outputs == line_of(project, 1).outputs
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS
    accept(implementer, line_of(project, 2), passed=False, on=dt.date(2026, 10, 10))
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS  # a failed line keeps the project running
    accept(implementer, line_of(project, 2), passed=True, on=dt.date(2026, 10, 22), record_number="BB-02")
    project.refresh_from_db()
    assert project.state == ProjectState.ACCEPTED and project.accepted_on == dt.date(2026, 10, 22)
    assert project.transitions.filter(action="accept").count() == 1
    assert line_of(project, 2).accepted is True


def test_acceptance_refusals_write_nothing(implementer, nghean_officer):
    project = running_project()
    line = line_of(project)
    early = refused("before_contract", accept, user=implementer, line=line, on=dt.date(2026, 3, 1))
    assert "10/03/2026" in early.message
    refused("date_in_future", accept, user=implementer, line=line, on=dt.date.today() + dt.timedelta(days=3))
    refused("record_number_required", accept, user=implementer, line=line, record_number=" ")
    refused("achieved_required", accept, user=implementer, line=line, achieved="")
    refused("not_found", accept, user=nghean_officer, line=line)  # out of reach: the project does not exist for them
    draft = running_project(paid=0)
    Project.objects.filter(pk=draft.pk).update(state=ProjectState.CONTRACTED)
    refused("wrong_state", accept, user=implementer, line=line_of(draft))


def test_a_settlement_without_an_acceptance_record_is_refused(implementer, agency_officer):
    project = running_project()
    Project.objects.filter(pk=project.pk).update(state=ProjectState.ACCEPTED)  # accepted by the bare step
    error = refused("no_acceptance", submit_settlement_dossier, user=implementer, project=project)
    assert line_of(project).establishment.name in error.message


def test_national_settlement_settles_and_records_what_to_recover(implementer, agency_officer):
    project = accept_all(implementer, running_project(paid=175_000_000))
    settlement = submit_settlement_dossier(user=implementer, project=project, submitted_on=SENT_ON)
    project.refresh_from_db()
    assert project.state == ProjectState.SETTLEMENT_SUBMITTED
    assert settlement.proposed_amount == 175_000_000 and settlement.state == SettlementState.SUBMITTED
    refused("over_disbursed", approve_settlement, user=agency_officer, settlement=settlement,
            settled_amount=175_000_001, decision_number="QT-1", decision_date=DECIDED_ON)  # fmt: skip
    refused("decision_required", approve_settlement, user=agency_officer, settlement=settlement,
            settled_amount=100, decision_number="", decision_date=DECIDED_ON)  # fmt: skip
    refused("forbidden", approve_settlement, user=implementer, settlement=settlement, settled_amount=100,
            decision_number="QT-1", decision_date=DECIDED_ON)  # fmt: skip
    settled = approve_settlement(user=agency_officer, settlement=settlement, settled_amount=160_000_000,
                                 decision_number="125/QĐ-QT", decision_date=DECIDED_ON)  # fmt: skip
    assert settled.state == SettlementState.APPROVED
    assert (settled.settled_amount, settled.recover_amount) == (160_000_000, 15_000_000)
    project.refresh_from_db()
    assert project.state == ProjectState.SETTLED and project.settled_on == DECIDED_ON
    entry = LedgerEntry.objects.get(project=project, kind=EntryKind.SETTLEMENT)
    assert entry.amount == 160_000_000 and settled.ledger_entry == entry
    assert project.money_account.settled == 160_000_000
    assert [t.action for t in settled.transitions.order_by("at", "pk")] == ["submit", "approve"]
    assert accounts.reconcile() == []


def test_a_payment_after_the_settlement_is_refused(implementer, agency_officer):
    project = accept_all(implementer, running_project(paid=100_000_000))
    settlement = submit_settlement_dossier(user=implementer, project=project, submitted_on=SENT_ON)
    approve_settlement(user=agency_officer, settlement=settlement, settled_amount=100_000_000,
                       decision_number="126/QĐ-QT", decision_date=DECIDED_ON)  # fmt: skip
    project.refresh_from_db()
    error = refused("after_settlement", actions.request_payment, user=agency_officer, project=project,
                    kind=EntryKind.PAYMENT, amount=1_000_000, entry_date=dt.date(2026, 11, 10))  # fmt: skip
    assert "quyết toán" in error.message


def test_local_settlement_is_checked_by_finance_then_approved(finance_officer, hatinh_officer, implementer):
    project = accept_all(implementer, running_project(level=Level.LOCAL, paid=175_000_000))
    settlement = submit_settlement_dossier(user=implementer, project=project, submitted_on=SENT_ON)
    refused("wrong_state", approve_settlement, user=hatinh_officer, settlement=settlement,
            settled_amount=175_000_000, decision_number="QT-2", decision_date=DECIDED_ON)  # fmt: skip
    refused("forbidden", check_settlement, user=hatinh_officer, settlement=settlement)
    checked = check_settlement(user=finance_officer, settlement=settlement, checked_on=dt.date(2026, 10, 30))
    assert checked.state == SettlementState.CHECKED and checked.checked_by == finance_officer
    done = approve_settlement(user=hatinh_officer, settlement=checked, settled_amount=175_000_000,
                              decision_number="77/QĐ-UBND", decision_date=DECIDED_ON)  # fmt: skip
    assert done.recover_amount == 0
    project.refresh_from_db()
    assert project.state == ProjectState.SETTLED


def test_a_returned_dossier_is_sent_again(implementer, agency_officer):
    project = accept_all(implementer, running_project())
    settlement = submit_settlement_dossier(user=implementer, project=project, submitted_on=SENT_ON)
    refused("comment_required", return_settlement, user=agency_officer, settlement=settlement, comment=" ")
    returned = return_settlement(user=agency_officer, settlement=settlement, comment="Thiếu chứng từ thanh toán.")
    assert returned.state == SettlementState.RETURNED
    again = submit_settlement_dossier(user=implementer, project=project, submitted_on=dt.date(2026, 10, 28))
    assert again.state == SettlementState.SUBMITTED and again.submitted_on == dt.date(2026, 10, 28)
    refused("settlement_exists", submit_settlement_dossier, user=implementer, project=project)


def test_the_agency_settles_from_the_acceptance_records_when_the_implementer_is_late(implementer, agency_officer):
    project = running_project(paid=175_000_000)
    accept(implementer, line_of(project, 1), on=dt.date(2026, 10, 1))
    accept(implementer, line_of(project, 2), on=dt.date(2026, 10, 2))
    project.refresh_from_db()
    # The dossier was due 15 days after the last acceptance (17/10/2026): the implementer is late.
    done = settle_from_acceptance(user=agency_officer, project=project, decision_number="130/QĐ-QT",
                                  decision_date=DECIDED_ON)  # fmt: skip
    assert done.by_agency_from_acceptance and done.state == SettlementState.APPROVED
    assert done.settled_amount == 175_000_000
    project.refresh_from_db()
    assert project.state == ProjectState.SETTLED
    assert accounts.reconcile() == []


def test_the_agency_waits_for_the_deadline(implementer, agency_officer):
    project = running_project()
    today = dt.date.today()
    accept_all(implementer, project, on=today)
    refused("not_late", settle_from_acceptance, user=agency_officer, project=project, decision_number="X",
            decision_date=today)  # fmt: skip
    refused("forbidden", settle_from_acceptance, user=implementer, project=project, decision_number="X",
            decision_date=today)  # fmt: skip


def test_liquidation_is_due_on_22_january_of_the_next_year(implementer):
    project = accept_all(implementer, running_project())
    assert liquidation_due(project) == dt.date(2027, 1, 22)
    late = running_project(year=2025, paid=0)
    Project.objects.filter(pk=late.pk).update(state=ProjectState.ACCEPTED)
    rows, count = overdue_liquidations(implementer, today=dt.date(2026, 11, 30))
    assert [p.pk for p in rows] == [late.pk] and count == 1
    assert rows[0].liquidation_due == dt.date(2026, 1, 22)


def test_the_agency_settles_a_late_project_through_the_api(implementer, agency_officer, client):
    from khuyencong.accounts.tokens import issue_token

    project = running_project(paid=175_000_000)
    accept(implementer, line_of(project, 1), on=dt.date(2026, 10, 1))
    accept(implementer, line_of(project, 2), on=dt.date(2026, 10, 2))
    body = {"project_id": project.pk, "decision_number": "131/QĐ-QT", "decision_date": DECIDED_ON.isoformat()}

    def post(user, data):
        _token, secret = issue_token(user=user, name=f"t-{user.pk}-{Settlement.objects.count()}")
        return client.post("/api/v1/settlements/from-acceptance", data, "application/json",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip

    before = snapshot()
    refused_call = post(implementer, body)
    assert refused_call.status_code == 403 and refused_call.json()["code"] == "forbidden"
    missing = post(agency_officer, {**body, "decision_number": ""})
    assert missing.status_code == 422 and "message" in missing.json()
    assert snapshot() == before
    done = post(agency_officer, body)
    assert done.status_code == 201, done.content
    assert done.json()["by_agency_from_acceptance"] is True
    project.refresh_from_db()
    assert project.state == ProjectState.SETTLED
