"""Who issues a document for a scope, and the scope a person may write for.

The Agency writes for the whole country (and for a regional centre's region); a province's
Department of Industry and Trade (Sở Công Thương) writes for its province. The letterhead,
place, signature block and filing mark follow from that. The wording is Vietnamese whatever the
reader's interface language: these are official Vietnamese documents (like
``finance/settlement_docx.py``), so it is kept here as data.

``document_scope(user, raw)`` reuses the dashboards' scopes (``national``, ``region:<code>``,
``province:<code>``): the same reach rules, so a Hà Tĩnh officer cannot write for the whole
country nor name another province; a scope out of reach is refused with ``out_of_scope``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from khuyencong.dashboards.scope import NATIONAL, PROVINCE, REGION, DashboardScope, ScopeError, resolve_scope
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province

AGENCY_CODE = "CUC-DMST"
MINISTRY = "BỘ CÔNG THƯƠNG"
AGENCY_FALLBACK = "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
# Centrally-run cities: their People's Committee is "UBND THÀNH PHỐ …".
CITY_PREFIX = "Thành phố "


@dataclass(frozen=True)
class Issuer:
    parent: str  # "BỘ CÔNG THƯƠNG" / "UBND TỈNH HÀ TĨNH"
    name: str  # the issuing body in capitals
    short: str  # how the body names itself in the text ("Cục", "Sở Công Thương")
    place: str  # "Hà Nội" / "Hà Tĩnh"
    symbol: str  # the filing symbol after the kind: "ĐMST" / "SCT"
    signer_authority: str  # "KT. CỤC TRƯỞNG"
    signer_title: str  # "PHÓ CỤC TRƯỞNG"
    head: str  # who the body reports to inside ("Cục trưởng", "Giám đốc Sở")
    national: bool
    province: Province | None = None


def upper(text: str) -> str:
    return text.upper()


def issuer_for(scope: DashboardScope) -> Issuer:
    """The Agency for the whole country and a region, the province's Department for a province."""
    if scope.kind == PROVINCE:
        province = Province.objects.get(pk=next(iter(scope.province_ids)))
        committee = "UBND THÀNH PHỐ" if province.name.startswith(CITY_PREFIX) else "UBND TỈNH"
        return Issuer(
            parent=f"{committee} {upper(province.short_name)}",
            name="SỞ CÔNG THƯƠNG",
            short="Sở Công Thương",
            place=province.short_name,
            symbol="SCT",
            signer_authority="KT. GIÁM ĐỐC",
            signer_title="PHÓ GIÁM ĐỐC",
            head="Giám đốc Sở",
            national=False,
            province=province,
        )
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).values_list("name", flat=True).first() or AGENCY_FALLBACK
    return Issuer(
        parent=MINISTRY,
        name=upper(agency),
        short="Cục",
        place="Hà Nội",
        symbol="ĐMST",
        signer_authority="KT. CỤC TRƯỞNG",
        signer_title="PHÓ CỤC TRƯỞNG",
        head="Cục trưởng",
        national=True,
    )


def document_scope(user, raw: str | DashboardScope | None) -> DashboardScope:
    """The scope ``raw`` names if ``user`` reaches it (their widest one when empty); a unit's own
    scope (an implementer) writes no official document of these kinds. A scope the form already
    resolved is checked again (the job rebuilds the document later, as the owner's reach is then)."""
    if isinstance(raw, DashboardScope):
        raw = raw.key
    try:
        scope = resolve_scope(user, raw)
    except ScopeError as error:
        if error.status == 422:
            message = error.message
        elif raw:
            message = _("“%(scope)s” is outside your reach.") % {"scope": raw}
        else:
            message = _("Nothing within your reach to write this document about.")
        raise ActionRefused("out_of_scope", message, field="scope", status=error.status) from error
    if scope.kind not in (NATIONAL, REGION, PROVINCE):
        raise ActionRefused(
            "out_of_scope",
            _("Only the Agency (for the country) or a Department (for its province) issues this document."),
            field="scope",
            status=403,
        )
    return scope


def scope_choices_for(user) -> list[tuple[str, str]]:
    """The scopes offered: the whole country, a regional centre's region, a province (no unit)."""
    from khuyencong.dashboards.scope import scope_choices

    return [(key, label) for key, label in scope_choices(user) if key == NATIONAL or ":" in key]


def clean_scope_field(user, value: str) -> DashboardScope:
    """The form's check of the scope picker (the same as the build's)."""
    from django import forms

    try:
        return document_scope(user, value or None)
    except ActionRefused as refused:
        raise forms.ValidationError(refused.message) from refused


def log_scope(user, params: dict) -> tuple[Province | None, None]:
    """The province a document covers for the log row (None for the country or a region)."""
    scope = params.get("scope")
    if isinstance(scope, DashboardScope) and scope.kind == PROVINCE:
        return Province.objects.get(pk=next(iter(scope.province_ids))), None
    return None, None


def scope_label(scope: DashboardScope) -> str:
    """How the text names the scope: "toàn quốc", "vùng …", "tỉnh Hà Tĩnh"."""
    if scope.kind == NATIONAL:
        return "toàn quốc"
    if scope.kind == REGION:
        return f"địa bàn {scope.label}"
    province = Province.objects.filter(pk__in=sorted(scope.province_ids)).first()
    return province.name[:1].lower() + province.name[1:] if province else scope.label
