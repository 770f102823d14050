"""The programme's standing organisation, loaded as reference data (idempotent).

Ministry → Agency → the three regional centres; per current province its People's Committee,
Department of Industry and Trade (with the provincial khuyến công centre under it) and
Department of Finance.
"""

from __future__ import annotations

from django.db import transaction

from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province, Region

K = OrgUnit.Kind

REGIONAL_CENTRES = [
    ("TTKC1", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 1", "TTKC&TVPTCN 1"),
    ("TTKC2", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 2", "TTKC&TVPTCN 2"),
    ("TTKC3", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 3", "TTKC&TVPTCN 3"),
]


def _upsert(code: str, **fields) -> tuple[OrgUnit, bool]:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return OrgUnit.objects.create(code=code, **fields), True
    changed = [
        name
        for name, value in fields.items()
        if getattr(unit, name if not hasattr(value, "pk") else f"{name}_id")
        != (value.pk if hasattr(value, "pk") else value)
    ]
    if changed:
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.save()
    return unit, False


def provincial_label(province: Province) -> str:
    prefix = "thành phố" if province.unit_type == Province.UnitType.CITY else "tỉnh"
    return f"{prefix} {province.short_name}"


@transaction.atomic
def load_reference_org_units() -> int:
    """Create or update the standing org units; returns how many were created."""
    created = 0
    ministry, new = _upsert("BCT", name="Bộ Công Thương", short_name="BCT", kind=K.MINISTRY, parent=None)
    created += new
    agency, new = _upsert(
        "CUC-DMST",
        name="Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
        short_name="Cục ĐMST, CĐX&KC",
        kind=K.AGENCY,
        parent=ministry,
    )
    created += new
    centre_regions = list(Region.objects.filter(kind=Region.Kind.CENTRE).order_by("code"))
    for index, (code, name, short) in enumerate(REGIONAL_CENTRES):
        region = centre_regions[index] if index < len(centre_regions) else None
        _unit, new = _upsert(code, name=name, short_name=short, kind=K.REGIONAL_CENTRE, parent=agency, region=region)
        created += new
    for province in Province.objects.current().order_by("code"):
        label = provincial_label(province)
        committee, new = _upsert(
            f"UBND-{province.code}",
            name=f"Ủy ban nhân dân {label}",
            short_name=f"UBND {label}",
            kind=K.PROVINCIAL_COMMITTEE,
            province=province,
            parent=None,
        )
        created += new
        doit, new = _upsert(
            f"SCT-{province.code}",
            name=f"Sở Công Thương {label}",
            short_name=f"Sở CT {province.short_name}",
            kind=K.DOIT,
            province=province,
            parent=committee,
        )
        created += new
        _unit, new = _upsert(
            f"TTKC-{province.code}",
            name=f"Trung tâm Khuyến công {label}",
            short_name=f"TTKC {province.short_name}",
            kind=K.PROVINCIAL_CENTRE,
            province=province,
            parent=doit,
        )
        created += new
        _unit, new = _upsert(
            f"STC-{province.code}",
            name=f"Sở Tài chính {label}",
            short_name=f"Sở TC {province.short_name}",
            kind=K.FINANCE_DEPT,
            province=province,
            parent=committee,
        )
        created += new
    return created
