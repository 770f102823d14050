"""The eleven roles, each bound to a realistic org unit, and where that binding reaches.

The scoping suite and the action matrix parametrise over ``ROLES``. Each resource then states,
explicitly and per role, which actions it expects (a test, not a copy of the permission matrix):
the visible and writable records follow from those actions and from ``reach`` below.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.territory.models import Province

BOTH = ("hatinh", "nghean")  # a record in Hà Tĩnh (42) and one in Nghệ An (40)
HATINH = ("hatinh",)
NOWHERE = ()

# A local establishment unit made for the establishment role (it reaches only itself).
ESTABLISHMENT_UNIT = "CS-VAI-TRO-42"


@dataclass(frozen=True)
class RoleCase:
    role: str
    unit: str | None  # org-unit code the assignment is bound to; None = nationwide
    reach: tuple[str, ...]  # which of the two test records the binding reaches
    label: str = ""

    def __str__(self) -> str:
        return self.label or self.role


ROLES = [
    RoleCase(Role.SYSTEM_ADMIN, None, BOTH),
    RoleCase(Role.AGENCY_OFFICER, "CUC-DMST", BOTH),
    RoleCase(Role.AGENCY_LEADER, "CUC-DMST", BOTH),
    RoleCase(Role.REGIONAL_OFFICER, "TTKC2", BOTH),  # the central region holds both provinces
    RoleCase(Role.PROVINCIAL_OFFICER, "SCT-42", HATINH),
    RoleCase(Role.PROVINCIAL_LEADER, "UBND-42", HATINH),
    RoleCase(Role.PROVINCIAL_FINANCE, "STC-42", HATINH),
    RoleCase(Role.IMPLEMENTER, "TTKC-42", HATINH),
    RoleCase(Role.INSPECTOR, "CUC-DMST", BOTH),
    RoleCase(Role.ESTABLISHMENT, ESTABLISHMENT_UNIT, NOWHERE),
    RoleCase(Role.VIEWER, None, BOTH),
]
ROLE_IDS = [str(case) for case in ROLES]
PROVINCIAL_OFFICER_OF_HA_TINH = ROLES[4]
# The eleven roles, plus the same officer role in the other province and a user with no role at all.
NGHE_AN_OFFICER = RoleCase(Role.PROVINCIAL_OFFICER, "SCT-40", ("nghean",), label="provincial_officer-of-nghe-an")
NO_ROLE = RoleCase("", None, NOWHERE, label="no-role")
CASES = [*ROLES, NGHE_AN_OFFICER, NO_ROLE]
CASE_IDS = [str(case) for case in CASES]


def _unit(code: str | None) -> OrgUnit | None:
    if code is None:
        return None
    if code == ESTABLISHMENT_UNIT:
        unit, _created = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": "Cơ sở gắn vai trò",
                "kind": OrgUnit.Kind.ESTABLISHMENT,
                "province": Province.objects.current().get(code="42"),
            },
        )
        return unit
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def person_in_role(db, territory, django_user_model):
    """``person_in_role(case)``: a user holding only ``case.role`` (if any), bound to ``case.unit``."""

    def make(case: RoleCase):
        user = django_user_model.objects.create_user(
            username=f"vai-tro-{case}", password="Mat-khau-thu-2026!", full_name=f"Vai trò {case}"
        )
        if case.role:
            assign_role(user=user, role=case.role, org_unit=_unit(case.unit))
        return user

    return make


# Unit scorecards (dashboards/scorecards.py): the named actions each role holds on projects for
# them, written out (tests/dashboards/test_scorecards_scoping.py checks the matrix against it).
VIEW_SCORECARD, EXPORT_SCORECARD = "view_scorecard", "export_scorecard"
SCORECARD_ACTIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.AGENCY_OFFICER: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.AGENCY_LEADER: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.REGIONAL_OFFICER: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.PROVINCIAL_OFFICER: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.PROVINCIAL_LEADER: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.PROVINCIAL_FINANCE: set(),  # settles accounts; does not evaluate units
    Role.IMPLEMENTER: {VIEW_SCORECARD, EXPORT_SCORECARD},  # its own unit only
    Role.INSPECTOR: {VIEW_SCORECARD, EXPORT_SCORECARD},
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {VIEW_SCORECARD},
    "": set(),  # no role
}
