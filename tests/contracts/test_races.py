"""Two amendments at once on PostgreSQL with real concurrent connections (one per thread): each
alone fits under the main contract, together they would not; exactly one is written, the other
is refused ``over_main_contract`` (the caps are read under the project's row lock)."""

import datetime as dt

import pytest
from django.conf import settings

from khuyencong.contracts import actions
from khuyencong.contracts.models import Contract, ContractAmendment, ContractKind, ContractState
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.projects.models import ProjectState
from tests.contracts.factories import approved_project, make_contract
from tests.projects.test_races import _at_once, reference  # noqa: F401 (the fixture reloads reference data)

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writers need a server database (SQLite serialises the test connection)",
    ),
    pytest.mark.django_db(transaction=True),
]
M = 1_000_000


def test_two_amendments_at_once_cannot_pass_the_main_contract_together(reference, django_user_model):  # noqa: F811
    implementer = django_user_model.objects.create_user(username="dua-hd", password="Mat-khau-thu-2026!")
    assign_role(user=implementer, role=Role.IMPLEMENTER, org_unit=OrgUnit.objects.get(code="TTKC-42"))
    project = approved_project(state=ProjectState.CONTRACTED, lines=[(400 * M, 200 * M), (400 * M, 200 * M)],
                               approved_support=300 * M)  # fmt: skip
    make_contract(project, value=300 * M, state=ContractState.SIGNED)
    first, second = project.beneficiaries.order_by("position")
    supports = [make_contract(project, kind=ContractKind.SUPPORT, beneficiary=line, value=100 * M,
                              state=ContractState.SIGNED) for line in (first, second)]  # fmt: skip

    def amend(i):
        contract = Contract.objects.get(pk=supports[i].pk)
        return actions.amend_contract(user=implementer, contract=contract, number=f"PL-{i}",
                                      signed_on=dt.date(2026, 4, 1), reason="Tăng quy mô",
                                      new_value=200 * M)  # fmt: skip

    results = _at_once(amend)
    done = [r for r in results if isinstance(r, ContractAmendment)]
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].code == "over_main_contract"
    total = sum(Contract.objects.filter(project=project, kind=ContractKind.SUPPORT).values_list("value", flat=True))
    assert total == 300 * M and ContractAmendment.objects.count() == 1
