from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from khuyencong.organisation.services import active_assignments

router = Router(tags=["me"])


class AssignmentOut(Schema):
    role: str
    role_label: str
    org_unit_id: int | None
    org_unit_name: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_superuser: bool
    roles: list[AssignmentOut]


@router.get("/me", response=MeOut, summary="The signed-in user and their active roles")
def me(request):
    user = request.auth
    roles = [
        AssignmentOut(
            role=a.role,
            role_label=str(a.get_role_display()),
            org_unit_id=a.org_unit_id,
            org_unit_name=a.org_unit.name if a.org_unit else None,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
        )
        for a in active_assignments(user)
    ]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        full_name=user.get_full_name(),
        email=user.email,
        is_superuser=user.is_superuser,
        roles=roles,
    )
