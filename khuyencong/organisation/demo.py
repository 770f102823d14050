"""Demo accounts: one user for every role, bound to realistic org units (Hà Tĩnh, Nghệ An…)."""

from __future__ import annotations

from django.db import transaction

from khuyencong.accounts.models import User
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
from khuyencong.organisation.reference import load_reference_org_units
from khuyencong.organisation.services import assign_role

DEMO_PASSWORD = "khuyencong2026"

HA_TINH = "42"
NGHE_AN = "40"

# username, full name, role, org unit code (None = nationwide)
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", Role.SYSTEM_ADMIN, None),
    ("cuc.chuyenvien", "Nguyễn Văn An", Role.AGENCY_OFFICER, "CUC-DMST"),
    ("cuc.lanhdao", "Trần Thị Bình", Role.AGENCY_LEADER, "CUC-DMST"),
    ("ttkc1.chuyenvien", "Lê Văn Cường", Role.REGIONAL_OFFICER, "TTKC1"),
    ("hatinh.chuyenvien", "Phạm Thị Dung", Role.PROVINCIAL_OFFICER, f"SCT-{HA_TINH}"),
    ("hatinh.lanhdao", "Hoàng Văn Em", Role.PROVINCIAL_LEADER, f"SCT-{HA_TINH}"),
    ("hatinh.taichinh", "Võ Thị Giang", Role.PROVINCIAL_FINANCE, f"STC-{HA_TINH}"),
    ("hatinh.thuchien", "Đặng Văn Hùng", Role.IMPLEMENTER, f"TTKC-{HA_TINH}"),
    ("nghean.chuyenvien", "Bùi Thị Lan", Role.PROVINCIAL_OFFICER, f"SCT-{NGHE_AN}"),
    ("thanhtra", "Đỗ Văn Minh", Role.INSPECTOR, "CUC-DMST"),
    ("coso.maytre", "Ngô Thị Nga", Role.ESTABLISHMENT, "CS-DEMO-1"),
    ("xem", "Lý Văn Phúc", Role.VIEWER, None),
]


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts (idempotent; existing passwords are kept). Returns (user, role, unit)."""
    load_reference_org_units()
    OrgUnit.objects.get_or_create(
        code="CS-DEMO-1",
        defaults={
            "name": "Cơ sở mây tre đan Thạch Hà",
            "kind": OrgUnit.Kind.ESTABLISHMENT,
            "province": OrgUnit.objects.get(code=f"SCT-{HA_TINH}").province,
        },
    )
    summary = []
    for username, full_name, role, unit_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, full_name=full_name, email=f"{username}@khuyencong.local"
            )
            if role == Role.SYSTEM_ADMIN:
                user.is_staff = user.is_superuser = True
                user.save()
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        assign_role(user=user, role=role, org_unit=unit)
        summary.append((username, str(Role(role).label), unit.name if unit else "Toàn quốc"))
    return summary


def demo_roles_present() -> set[str]:
    return set(RoleAssignment.objects.values_list("role", flat=True))
