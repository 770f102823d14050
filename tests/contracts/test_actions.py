"""Contracts as domain actions: caps, dates, states, roles; signing the main contract moves the
project; amendments keep a history; every refusal is coded and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from khuyencong.contracts import actions
from khuyencong.contracts.models import Contract, ContractAmendment, ContractKind, ContractState, ContractTransition
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.projects.models import ProjectState, ProjectTransition
from khuyencong.rulebook.models import Level
from tests.contracts.factories import approved_project, make_contract

pytestmark = pytest.mark.django_db
S = ProjectState
K = ContractKind
C = ContractState
SIGNED = dt.date(2026, 3, 10)
TERMS = {"signed_on": SIGNED, "start_date": dt.date(2026, 3, 15), "end_date": dt.date(2026, 11, 30),
         "deadline": dt.date(2026, 11, 30)}  # fmt: skip


def snapshot():
    return (
        list(Contract.objects.order_by("pk").values()),
        list(ContractAmendment.objects.order_by("pk").values()),
        ContractTransition.objects.count(),
        ProjectTransition.objects.count(),
    )


def refused(code, call, **kwargs):
    before = snapshot()
    with pytest.raises(ActionRefused) as caught:
        call(**kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    assert snapshot() == before
    return caught.value


def draft_main(user, project, value=None, **values):
    return actions.save_contract(
        user=user, project=project, kind=K.MAIN,
        values={"number": "01/2026/HĐ-KCQG", "value": project.approved_support if value is None else value,
                **TERMS, **values},
    )  # fmt: skip


def signed_project(agency_officer, **kwargs):
    project = approved_project(**kwargs)
    contract = draft_main(agency_officer, project)
    actions.sign_contract(user=agency_officer, contract=contract)
    project.refresh_from_db()
    contract.refresh_from_db()
    return project, contract


def test_signing_the_main_contract_moves_the_national_project_to_contracted(agency_officer):
    project = approved_project()
    contract = draft_main(agency_officer, project)
    assert contract.party_a.code == "CUC-DMST" and contract.party_b_unit == project.implementing_unit
    assert contract.state == C.DRAFT
    actions.sign_contract(user=agency_officer, contract=contract)
    project.refresh_from_db()
    contract.refresh_from_db()
    assert contract.state == C.SIGNED and contract.signed_on == SIGNED
    assert project.state == S.CONTRACTED and project.contracted_on == SIGNED
    step = project.transitions.get(action="contract")
    assert step.user == agency_officer and step.data["contract"] == contract.pk
    assert contract.transitions.get().action == "sign"


def test_a_local_main_contract_is_the_departments_and_takes_contract_local(hatinh_officer, agency_officer):
    project = approved_project(level=Level.LOCAL)
    refused("forbidden", draft_main, user=agency_officer, project=project)
    contract = draft_main(hatinh_officer, project)
    assert contract.party_a.code == "SCT-42"
    actions.sign_contract(user=hatinh_officer, contract=contract)
    project.refresh_from_db()
    assert project.state == S.CONTRACTED and project.transitions.get().action == "contract_local"


def test_the_signer_needs_the_projects_contract_step(agency_officer, hatinh_officer, implementer):
    project = approved_project()
    contract = draft_main(agency_officer, project)
    # the Department neither writes national main contracts nor takes the national contract step
    refused("forbidden", actions.sign_contract, user=hatinh_officer, contract=contract)
    refused("forbidden", actions.sign_contract, user=implementer, contract=contract)
    assert project.state == S.APPROVED


def test_a_failed_project_step_rolls_the_signature_back(agency_officer):
    project = approved_project()
    contract = draft_main(agency_officer, project)
    # the project's previous step is after the signature: the project refuses, the contract stays a draft
    project.state_changed_at = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
    project.save()
    refused("dates_out_of_order", actions.sign_contract, user=agency_officer, contract=contract)
    contract.refresh_from_db()
    assert contract.state == C.DRAFT


def test_main_contract_value_never_above_the_approved_support(agency_officer):
    project = approved_project()
    exc = refused("over_approved_support", draft_main, user=agency_officer, project=project,
                  value=project.approved_support + 1)  # fmt: skip
    assert exc.field == "value" and exc.status == 422


def test_one_live_main_contract_per_project(agency_officer):
    project = approved_project()
    draft_main(agency_officer, project)
    refused("main_exists", draft_main, user=agency_officer, project=project, number="02/2026/HĐ-KCQG")


def test_the_number_is_unique_per_issuing_party(agency_officer):
    draft_main(agency_officer, approved_project())
    with pytest.raises(Invalid) as caught:
        draft_main(agency_officer, approved_project())
    assert "number" in caught.value.errors


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"signed_on": dt.date(2026, 3, 1)}, "before_approval", "signed_on"),
        ({"start_date": dt.date(2026, 3, 5)}, "dates_out_of_order", "start_date"),
        ({"end_date": dt.date(2026, 3, 14)}, "dates_out_of_order", "end_date"),
        ({"deadline": dt.date(2026, 3, 1), "signed_on": dt.date(2026, 3, 2), "start_date": dt.date(2026, 3, 2)},
         "dates_out_of_order", "deadline"),
        ({"signed_on": dt.date(2999, 1, 1)}, "date_in_future", "signed_on"),
    ],
)  # fmt: skip
def test_dates_in_order(agency_officer, values, code, field):
    exc = refused(code, draft_main, user=agency_officer, project=approved_project(), **values)
    assert exc.field == field


@pytest.mark.parametrize("state", [S.AGENCY_PASSED, S.ACCEPTED, S.CLOSED])
def test_a_main_contract_needs_an_approved_project(agency_officer, state):
    refused("project_state", draft_main, user=agency_officer, project=approved_project(state=state))


def test_out_of_province_and_out_of_reach(nghean_officer, implementer, hatinh_officer):
    local = approved_project(level=Level.LOCAL)
    with pytest.raises(Invalid):  # Nghệ An's officer does not see a Hà Tĩnh project
        draft_main(nghean_officer, local)
    contract = draft_main(hatinh_officer, local)
    refused("not_found", actions.sign_contract, user=nghean_officer, contract=contract)
    refused("forbidden", actions.sign_contract, user=implementer, contract=contract)
    assert not Contract.objects.exclude(pk=contract.pk).exists()


def draft_support(user, project, line, value=None, number="HT-01", **values):
    return actions.save_contract(
        user=user, project=project, kind=K.SUPPORT, beneficiary=line,
        values={"number": number, "value": line.support if value is None else value, **TERMS, **values},
    )  # fmt: skip


def test_support_contracts_within_the_beneficiary_and_the_main_contract(agency_officer, implementer):
    project = approved_project()
    first, second = project.beneficiaries.order_by("position")
    # not before the project is contracted
    refused("project_state", draft_support, user=implementer, project=project, line=first)
    project, main = signed_project(agency_officer)
    first, second = project.beneficiaries.order_by("position")
    refused("forbidden", draft_support, user=agency_officer, project=project, line=first)
    refused("over_beneficiary_support", draft_support, user=implementer, project=project, line=first,
            value=first.support + 1)  # fmt: skip
    support = draft_support(implementer, project, first)
    assert support.party_a == project.implementing_unit and support.party_b_establishment == first.establishment
    refused("support_exists", draft_support, user=implementer, project=project, line=first, number="HT-02")
    actions.sign_contract(user=implementer, contract=support)
    # the main contract lowered by an amendment: the second line no longer fits under it
    actions.amend_contract(user=agency_officer, contract=main, number="PL-01", signed_on=dt.date(2026, 4, 1),
                           reason="Giảm quy mô", new_value=first.support + second.support - 1)  # fmt: skip
    refused("over_main_contract", draft_support, user=implementer, project=project, line=second)
    smaller = draft_support(implementer, project, second, value=second.support - 1, number="HT-02")
    assert smaller.value == second.support - 1


def test_the_implementer_writes_only_its_own_projects_support_contracts(agency_officer, implementer):
    project, _main = signed_project(agency_officer, province_code="40")
    exc = refused("validation_error", draft_support, user=implementer, project=project,
                  line=project.beneficiaries.first())  # fmt: skip
    assert "project" in exc.errors  # another unit's project does not exist for it


def test_amendments_keep_the_caps_and_a_history(agency_officer, implementer):
    project, main = signed_project(agency_officer, approved_support=200_000_000)
    refused("over_approved_support", actions.amend_contract, user=agency_officer, contract=main, number="PL-01",
            signed_on=dt.date(2026, 4, 1), reason="Tăng", new_value=200_000_001)  # fmt: skip
    first = project.beneficiaries.order_by("position").first()
    support = draft_support(implementer, project, first)
    actions.sign_contract(user=implementer, contract=support)
    refused("below_support_contracts", actions.amend_contract, user=agency_officer, contract=main, number="PL-01",
            signed_on=dt.date(2026, 4, 1), reason="Giảm", new_value=first.support - 1)  # fmt: skip
    refused("over_beneficiary_support", actions.amend_contract, user=implementer, contract=support,
            number="PL-01", signed_on=dt.date(2026, 4, 1), reason="Tăng", new_value=first.support + 1)  # fmt: skip
    refused("dates_out_of_order", actions.amend_contract, user=agency_officer, contract=main, number="PL-01",
            signed_on=dt.date(2026, 3, 1), reason="Gia hạn", new_end_date=dt.date(2026, 12, 31))  # fmt: skip
    with pytest.raises(Invalid) as caught:
        actions.amend_contract(user=agency_officer, contract=main, number="PL-01", signed_on=dt.date(2026, 4, 1),
                               reason="", new_value=None)  # fmt: skip
    assert {"reason", "new_value"} <= set(caught.value.errors)
    actions.amend_contract(user=agency_officer, contract=main, number="PL-01", signed_on=dt.date(2026, 4, 1),
                           reason="Gia hạn do mưa lũ", new_end_date=dt.date(2026, 12, 31))  # fmt: skip
    main.refresh_from_db()
    actions.amend_contract(user=agency_officer, contract=main, number="PL-02", signed_on=dt.date(2026, 5, 1),
                           reason="Giảm quy mô", new_value=180_000_000)  # fmt: skip
    main.refresh_from_db()
    assert main.state == C.AMENDED and main.value == 180_000_000 and main.end_date == dt.date(2026, 12, 31)
    history = list(main.amendments.order_by("sequence").values_list("sequence", "value_before", "new_value"))
    assert history == [(1, 200_000_000, None), (2, 200_000_000, 180_000_000)]
    assert [t.action for t in main.transitions.order_by("at", "pk")] == ["sign", "amend", "amend"]


def test_a_stale_amendment_changes_nothing(agency_officer):
    _project, main = signed_project(agency_officer)
    seen = main.version
    actions.amend_contract(user=agency_officer, contract=main, number="PL-01", signed_on=dt.date(2026, 4, 1),
                           reason="Gia hạn", new_end_date=dt.date(2026, 12, 1), version=seen)  # fmt: skip
    refused("stale", actions.amend_contract, user=agency_officer, contract=main, number="PL-02",
            signed_on=dt.date(2026, 4, 2), reason="Gia hạn", new_end_date=dt.date(2026, 12, 15),
            version=seen)  # fmt: skip


def test_a_stale_draft_edit_changes_nothing(agency_officer):
    contract = draft_main(agency_officer, approved_project())
    seen = contract.version
    actions.save_contract(user=agency_officer, instance=contract, values={"subject": "Lần 1"}, version=seen)
    refused("stale", actions.save_contract, user=agency_officer, instance=contract, values={"subject": "Lần 2"},
            version=seen)  # fmt: skip


def test_terminate_needs_a_reason_and_frees_the_project_for_a_new_main_contract(agency_officer, implementer):
    project, main = signed_project(agency_officer)
    support = draft_support(implementer, project, project.beneficiaries.first())
    refused("comment_required", actions.terminate_contract, user=agency_officer, contract=main, comment="")
    refused("has_live_support", actions.terminate_contract, user=agency_officer, contract=main, comment="Vi phạm")
    actions.terminate_contract(user=implementer, contract=support, comment="Cơ sở rút")
    actions.terminate_contract(user=agency_officer, contract=main, comment="Đơn vị vi phạm")
    main.refresh_from_db()
    assert main.state == C.TERMINATED and main.terminated_on is not None
    assert main.transitions.get(action="terminate").comment == "Đơn vị vi phạm"
    replacement = draft_main(agency_officer, project, number="03/2026/HĐ-KCQG")
    actions.sign_contract(user=agency_officer, contract=replacement)
    project.refresh_from_db()
    assert project.state == S.CONTRACTED and project.transitions.filter(action="contract").count() == 1


def test_liquidation_after_the_projects_acceptance(agency_officer):
    project, main = signed_project(agency_officer)
    refused("project_not_accepted", actions.liquidate_contract, user=agency_officer, contract=main,
            liquidation_number="TL-01", liquidated_on=dt.date(2026, 5, 1))  # fmt: skip
    project.state, project.accepted_on = S.ACCEPTED, dt.date(2026, 5, 10)
    project.save()
    main.refresh_from_db()
    refused("decision_required", actions.liquidate_contract, user=agency_officer, contract=main,
            liquidation_number="", liquidated_on=dt.date(2026, 5, 11))  # fmt: skip
    refused("dates_out_of_order", actions.liquidate_contract, user=agency_officer, contract=main,
            liquidation_number="TL-01", liquidated_on=dt.date(2026, 5, 9))  # fmt: skip
    actions.liquidate_contract(user=agency_officer, contract=main, liquidation_number="TL-01",
                               liquidated_on=dt.date(2026, 5, 11))  # fmt: skip
    main.refresh_from_db()
    assert main.state == C.LIQUIDATED and main.liquidation_number == "TL-01"
    assert main.transitions.get(action="liquidate").decision_number == "TL-01"


def test_readers_do_not_write(agency_officer, django_user_model):
    from khuyencong.organisation.models import Role
    from tests.conftest import _user

    leader = _user(django_user_model, "lanhdao", Role.AGENCY_LEADER, "CUC-DMST")
    project = approved_project()
    refused("forbidden", draft_main, user=leader, project=project)
    contract = draft_main(agency_officer, project)
    refused("forbidden", actions.sign_contract, user=leader, contract=contract)
    refused("forbidden", actions.delete_contract, user=leader, contract=contract)
    actions.delete_contract(user=agency_officer, contract=contract)
    assert not Contract.objects.exists()


def test_only_a_draft_is_edited_or_deleted(agency_officer):
    _project, main = signed_project(agency_officer)
    refused("wrong_state", actions.save_contract, user=agency_officer, instance=main, values={"subject": "x"})
    refused("in_use", actions.delete_contract, user=agency_officer, contract=main)
    assert make_contract  # the factory is used by the page tests


def test_amendments_and_drafts_read_the_caps_under_the_projects_row_lock(agency_officer, implementer):
    """Two amendments at once cannot push a total over its cap together: each reads the sums with
    the project row locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writes one at a time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project, main = signed_project(agency_officer)
    with CaptureQueriesContext(connection) as queries:
        draft_support(implementer, project, project.beneficiaries.first())
        actions.amend_contract(user=agency_officer, contract=main, number="PL-01", signed_on=dt.date(2026, 4, 1),
                               reason="Gia hạn", new_end_date=dt.date(2026, 12, 31))  # fmt: skip
    locks = [q["sql"] for q in queries.captured_queries if "projects_project" in q["sql"] and "FOR UPDATE" in q["sql"]]
    if connection.features.has_select_for_update:
        assert len(locks) == 2
