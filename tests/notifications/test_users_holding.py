"""users_holding(action, model, row): who must act on a row is whom ``restrict`` lets act on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khuyencong.kernel.scoping import restrict
from khuyencong.organisation.models import OrgUnit, RoleAssignment
from khuyencong.organisation.services import users_holding
from khuyencong.planning.models import AnnualPlan, PlanVersion
from khuyencong.projects.models import Project
from khuyencong.registry.models import Establishment
from tests.planning.factories import make_plan
from tests.projects.factories import make_project
from tests.registry.factories import make_establishment
from tests.roles import CASES, ESTABLISHMENT_UNIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(person_in_role):
    return [person_in_role(case) for case in CASES]


@pytest.fixture
def rows(territory):
    own = make_establishment("42", name="Cơ sở có tài khoản")
    return {
        "local plan 42": make_plan("42"),
        "local plan 40": make_plan("40"),
        "national plan": make_plan(None),
        "establishment": own,
        "establishment 40": make_establishment("40"),
        "unit TTKC-42": OrgUnit.objects.get(code="TTKC-42"),
        # Implemented by Hà Tĩnh's centre (the implementer's unit), and by the Agency in Hà Tĩnh.
        "project 42": make_project("42"),
        "project 42 by the Agency": make_project("42", unit="CUC-DMST"),
        "project 40": make_project("40"),
    }


CHECKS = [
    (AnnualPlan, "view"), (AnnualPlan, "change"), (AnnualPlan, "close"),
    (PlanVersion, "approve"), (PlanVersion, "approve_local"), (PlanVersion, "change"),
    (Establishment, "view"), (Establishment, "change"), (Establishment, "update_own"), (Establishment, "merge"),
    (OrgUnit, "change"), (OrgUnit, "view"),
    (Project, "view"), (Project, "submit"), (Project, "appraise"), (Project, "approve"), (Project, "approve_local"),
    (Project, "settle_local"),
]  # fmt: skip


def _row(rows, model, name):
    row = rows[name]
    if model is PlanVersion:
        return row.versions.get() if isinstance(row, AnnualPlan) else None
    return row if isinstance(row, model) else None


def test_the_same_people_as_restrict_for_every_role_row_and_action(everyone, rows):
    own_unit = OrgUnit.objects.get(code=ESTABLISHMENT_UNIT)
    Establishment.objects.filter(pk=rows["establishment"].pk).update(org_unit=own_unit)
    compared, sizes = 0, set()
    for model, action in CHECKS:
        for name in rows:
            row = _row(rows, model, name)
            if row is None:
                continue
            expected = {u.pk for u in everyone if restrict(model._base_manager.filter(pk=row.pk), u, action).exists()}
            got = {u.pk for u in users_holding(action, model, row)}
            assert got == expected, f"{model.__name__} {action} on {name}"
            compared += 1
            sizes.add(len(got))
    assert compared == 46 and 0 in sizes and len(sizes) > 4  # not all-or-nothing answers


def test_reads_a_fixed_number_of_queries(everyone, rows):
    plan = rows["local plan 42"]
    with CaptureQueriesContext(connection) as queries:
        holders = users_holding("change", AnnualPlan, plan)
    assert {u.username for u in holders} >= {"vai-tro-provincial_officer", "vai-tro-agency_officer"}
    assert len(queries) <= 3  # the row's places, the assignments, one region's provinces


def test_ended_assignments_and_deactivated_people_hold_nothing(everyone, rows):
    plan = rows["local plan 42"]
    officer = next(u for u in everyone if u.username == "vai-tro-provincial_officer")
    assert officer in users_holding("close", AnnualPlan, plan)
    officer.is_active = False
    officer.save()
    assert officer not in users_holding("close", AnnualPlan, plan)
    RoleAssignment.objects.filter(user__username="vai-tro-agency_officer").update(valid_to="2000-01-01")
    assert not [u for u in users_holding("close", AnnualPlan, plan) if u.username == "vai-tro-agency_officer"]


def test_an_action_nobody_holds(rows):
    assert users_holding("fly", AnnualPlan, rows["local plan 42"]) == []
