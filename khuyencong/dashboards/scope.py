"""What a dashboard covers: the whole country, a regional centre's region, one province or one
implementing unit, always inside the viewer's reach for projects.

A scope is written ``national``, ``region:<code>`` (a centre region: 1 North, 2 Centre and
Central Highlands, 3 South), ``province:<code>`` (the official code of a province in force since
1/7/2025; a province before the reform is named through its successor) or ``unit:<code>`` (an org
unit's code). Without one, the viewer gets the widest scope their reach fills: national for a
nationwide reach, the region of a regional centre, the province of a provincial unit, the unit of
an implementer. Anything else is refused with a message: a malformed scope is invalid (422), an
unknown or out-of-reach place is not found (404), so a Hà Tĩnh officer cannot learn whether a
scope elsewhere has figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from khuyencong.kernel.scoping import Action, Scope, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects.models import Project
from khuyencong.territory.models import Province, Region

NATIONAL, REGION, PROVINCE, UNIT = "national", "region", "province", "unit"
KINDS = (NATIONAL, REGION, PROVINCE, UNIT)


class ScopeError(Exception):
    """A scope the viewer cannot have; ``status`` is 422 (malformed) or 404 (unknown or out of reach)."""

    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class DashboardScope:
    kind: str
    code: str = ""
    label: str = ""
    province_ids: frozenset[int] = field(default_factory=frozenset)  # current provinces; empty: all
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # the unit and its sub-units

    @property
    def key(self) -> str:
        return self.kind if self.kind == NATIONAL else f"{self.kind}:{self.code}"

    def project_q(self, prefix: str = "") -> Q:
        """The projects the scope covers (on top of the viewer's reach)."""
        if self.kind == UNIT:
            return Q(**{f"{prefix}implementing_unit__in": sorted(self.unit_ids)})
        if self.kind in (REGION, PROVINCE):
            return Q(**{f"{prefix}province__in": sorted(self.province_ids)})
        return Q()


def reach(user) -> Scope:
    return user_scope(user, Action.VIEW, Project)


def _covers(allowed: Scope, province_ids: frozenset[int]) -> bool:
    return allowed.everywhere or (bool(province_ids) and province_ids <= allowed.province_ids)


def _region_scope(region: Region) -> DashboardScope:
    ids = frozenset(p.pk for p in region.provinces.all() if p.valid_to is None)
    return DashboardScope(REGION, region.code, region.name, province_ids=ids)


def _unit_scope(unit: OrgUnit) -> DashboardScope:
    ids = frozenset(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return DashboardScope(UNIT, unit.code, unit.name, unit_ids=ids)


def default_scope(user, allowed: Scope | None = None) -> DashboardScope:
    allowed = allowed if allowed is not None else reach(user)
    if allowed.is_empty:
        raise ScopeError(_("You have no projects to show on a dashboard."), status=403)
    if allowed.everywhere:
        return DashboardScope(NATIONAL, label=str(_("Whole country")))
    current = frozenset(
        Province.objects.current().filter(pk__in=sorted(allowed.province_ids)).values_list("pk", flat=True)
    )
    if len(current) == 1:
        province = Province.objects.get(pk=next(iter(current)))
        return DashboardScope(PROVINCE, province.code, province.short_name, province_ids=current)
    if current:
        for region in Region.objects.filter(kind=Region.Kind.CENTRE).prefetch_related("provinces"):
            candidate = _region_scope(region)
            if candidate.province_ids and candidate.province_ids <= current:
                return candidate
        province = Province.objects.filter(pk__in=sorted(current)).order_by("code").first()
        assert province is not None
        return DashboardScope(PROVINCE, province.code, province.short_name, province_ids=frozenset({province.pk}))
    unit = OrgUnit.objects.filter(pk__in=sorted(allowed.org_unit_ids)).order_by("path").first()
    if unit is None:
        raise ScopeError(_("You have no projects to show on a dashboard."), status=403)
    return _unit_scope(unit)


def resolve_scope(user, raw: str | None) -> DashboardScope:
    """The scope ``raw`` names, if the viewer may see it (see the module docstring)."""
    allowed = reach(user)
    raw = (raw or "").strip()
    if not raw:
        return default_scope(user, allowed)
    if allowed.is_empty:
        raise ScopeError(_("You have no projects to show on a dashboard."), status=403)
    kind, _sep, code = raw.partition(":")
    code = code.strip()
    if kind not in KINDS or (kind == NATIONAL and code) or (kind != NATIONAL and not code):
        raise ScopeError(
            _("Unknown scope “%(scope)s”: use national, region:<code>, province:<code> or unit:<code>.")
            % {"scope": raw[:60]},
            status=422,
        )
    out_of_reach = _("No dashboard “%(scope)s” within your reach.") % {"scope": raw[:60]}
    if kind == NATIONAL:
        if not allowed.everywhere:
            raise ScopeError(out_of_reach)
        return DashboardScope(NATIONAL, label=str(_("Whole country")))
    if kind == REGION:
        region = Region.objects.filter(kind=Region.Kind.CENTRE, code=code).prefetch_related("provinces").first()
        if region is None:
            raise ScopeError(out_of_reach)
        scope = _region_scope(region)
        if not _covers(allowed, scope.province_ids):
            raise ScopeError(out_of_reach)
        return scope
    if kind == PROVINCE:
        province = Province.objects.current().filter(code=code.zfill(2)).first()
        if province is None:
            raise ScopeError(out_of_reach)
        if not _covers(allowed, frozenset({province.pk})):
            raise ScopeError(out_of_reach)
        return DashboardScope(PROVINCE, province.code, province.short_name, province_ids=frozenset({province.pk}))
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ScopeError(out_of_reach)
    in_reach = (
        allowed.everywhere
        or unit.pk in allowed.org_unit_ids
        or (unit.province_id is not None and unit.province_id in allowed.province_ids)
    )
    if not in_reach:
        raise ScopeError(out_of_reach)
    return _unit_scope(unit)


def scope_choices(user, allowed: Scope | None = None) -> list[tuple[str, str]]:
    """The scopes offered in the page's picker: what the viewer's reach fills (a bounded list)."""
    allowed = allowed if allowed is not None else reach(user)
    choices: list[tuple[str, str]] = []
    if allowed.everywhere:
        choices.append((NATIONAL, str(_("Whole country"))))
    regions = Region.objects.filter(kind=Region.Kind.CENTRE).prefetch_related("provinces")
    provinces = Province.objects.current().order_by("code")
    if not allowed.everywhere:
        provinces = provinces.filter(pk__in=sorted(allowed.province_ids))
    for region in regions:
        scope = _region_scope(region)
        if _covers(allowed, scope.province_ids):
            choices.append((scope.key, str(_("Region: %(name)s") % {"name": region.name})))
    for province in provinces:
        choices.append((f"{PROVINCE}:{province.code}", province.short_name))
    return choices
