"""Whether an establishment may be supported, by its location, under the legal version in force.

The rules are data (:class:`~khuyencong.registry.models.EligibilityRule`); this module reads them.
The answer is one of three: eligible, not eligible, or cannot decide (the territory data lacks
what the clause needs, e.g. a city's grade), always with the reason in the user's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from khuyencong.kernel.db import InIds
from khuyencong.registry.models import CraftVillage, EligibilityRule, Establishment
from khuyencong.territory.models import REFORM_DATE, Commune, Province

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
UNDECIDED = "undecided"


@dataclass(frozen=True)
class Eligibility:
    status: str
    rule: EligibilityRule | None
    reason: str  # a code: clause / craft_village / location / missing_* / no_rule
    message: str  # the reason for users (which clause, which legal version)
    on: dt.date

    @property
    def eligible(self) -> bool:
        return self.status == ELIGIBLE

    @property
    def undecided(self) -> bool:
        return self.status == UNDECIDED


def _clause_text(clause: dict) -> str:
    text = clause["text"]
    return _("%(text)s (wording to confirm)") % {"text": text} if clause.get("confirm") else text


def _years_before(on: dt.date, years: int) -> dt.date:
    if on.month == 2 and on.day == 29:
        on = on.replace(day=28)
    return on.replace(year=on.year - years)


def _city_grade(commune: Commune) -> int | None:
    """The urban grade of the pre-2025 city a ward belonged to (None when not recorded)."""
    district = commune.district
    if district is None:
        return None
    if district.unit_type == "urban_district":  # quận: a ward of the centrally-run city itself
        return commune.province.city_grade
    return district.city_grade


def _match(clause: dict, commune: Commune, on: dt.date) -> str | None:
    """ELIGIBLE, UNDECIDED ("missing_city_grade" / "missing_ward_since" as the second value) or None."""
    if commune.unit_type not in clause.get("unit_types", []):
        return None
    parent = clause.get("parent", "any")
    is_city = commune.province.unit_type == Province.UnitType.CITY
    if (parent == "city" and not is_city) or (parent == "province" and is_city):
        return None
    district_types = clause.get("district_types")
    if district_types:
        if commune.district is None:
            return "missing_city_grade"
        if commune.district.unit_type not in district_types:
            return None
    grades = clause.get("city_grades")
    if grades:
        grade = _city_grade(commune)
        if grade is None:
            return "missing_city_grade"
        if grade not in grades:
            return None
    years = clause.get("ward_within_years")
    if years:
        if commune.ward_since is None:
            return "missing_ward_since"
        if commune.ward_since < _years_before(on, years):
            return None
    return ELIGIBLE


def unit_on(establishment: Establishment, on: dt.date) -> Commune | None:
    """The commune the establishment was in on ``on``: the legacy one before the 2025 reform."""
    if on < REFORM_DATE:
        return establishment.legacy_commune
    return establishment.commune


_LOOK_UP = object()


def eligibility(establishment: Establishment, on: dt.date | None = None, *, rule: Any = _LOOK_UP) -> Eligibility:
    """Whether the establishment may be supported on ``on`` (today when omitted; a project passes
    its approval date) under the location rule then in force. A caller checking many
    establishments on one date passes ``rule=EligibilityRule.in_force(on)`` once."""
    on = on or timezone.localdate()
    if rule is _LOOK_UP:
        rule = EligibilityRule.in_force(on)
    if rule is None:
        message = _("No eligibility rule is in force on %(date)s.") % {"date": date_format(on, "SHORT_DATE_FORMAT")}
        return Eligibility(UNDECIDED, None, "no_rule", message, on)
    basis = rule.legal_basis
    commune = unit_on(establishment, on)
    village = establishment.craft_village
    if rule.recognised_craft_village and village is not None and village.recognised:
        message = _(
            "Eligible under %(basis)s: in %(village)s, a craft village recognised by the provincial People's Committee."
        ) % {"basis": basis, "village": village.name}
        return Eligibility(ELIGIBLE, rule, "craft_village", message, on)
    if commune is None:
        message = _("Cannot decide under %(basis)s: the commune before 1/7/2025 is not recorded.") % {"basis": basis}
        return Eligibility(UNDECIDED, rule, "missing_legacy_commune", message, on)
    place = f"{commune.name}, {commune.province.name}"
    missing: tuple[str, dict] | None = None
    for clause in rule.clauses:
        outcome = _match(clause, commune, on)
        if outcome == ELIGIBLE:
            message = _("Eligible under %(basis)s: %(place)s is in a location it covers (%(clause)s).") % {
                "basis": basis,
                "place": place,
                "clause": _clause_text(clause),
            }
            return Eligibility(ELIGIBLE, rule, "clause", message, on)
        if outcome and missing is None:
            missing = (outcome, clause)
    if missing is not None:
        code, clause = missing
        values = {"basis": basis, "place": place, "clause": _clause_text(clause)}
        if code == "missing_city_grade":
            message = _(
                "Cannot decide under %(basis)s: the grade of the city %(place)s belonged to is not recorded"
                " (clause: %(clause)s)."
            )
        else:
            message = _(
                "Cannot decide under %(basis)s: the date %(place)s became a ward is not recorded (clause: %(clause)s)."
            )
        return Eligibility(UNDECIDED, rule, code, message % values, on)
    message = _("Not eligible under %(basis)s: %(place)s is not in any location it covers.") % {
        "basis": basis,
        "place": place,
    }
    return Eligibility(NOT_ELIGIBLE, rule, "location", message, on)


def _clause_q(clause: dict, prefix: str, on: dt.date) -> Q:
    """The establishments a clause makes eligible (cases it cannot decide are left out); with an
    empty ``prefix``, the communes themselves."""
    prefix = f"{prefix}__" if prefix else ""
    q = Q(**{f"{prefix}unit_type__in": clause.get("unit_types", [])})
    parent = clause.get("parent", "any")
    if parent == "city":
        q &= Q(**{f"{prefix}province__unit_type": Province.UnitType.CITY})
    elif parent == "province":
        q &= ~Q(**{f"{prefix}province__unit_type": Province.UnitType.CITY})
    if clause.get("district_types"):
        q &= Q(**{f"{prefix}district__unit_type__in": clause["district_types"]})
    if clause.get("city_grades"):
        grades = clause["city_grades"]
        in_quan = Q(**{f"{prefix}district__unit_type": "urban_district"})
        q &= (in_quan & Q(**{f"{prefix}province__city_grade__in": grades})) | (
            ~in_quan & Q(**{f"{prefix}district__city_grade__in": grades})
        )
    if clause.get("ward_within_years"):
        q &= Q(**{f"{prefix}ward_since__gte": _years_before(on, clause["ward_within_years"])})
    return q


def eligibility_filter(eligible: bool, on: dt.date | None = None) -> Q:
    """The list filter "eligible today" (``eligible=1`` / ``eligible=0``) on the establishment's
    own columns, agreeing with :func:`eligibility` row by row: yes keeps the eligible rows; no keeps
    every other row (not eligible, or undecided).

    Yes is a semi-join, ``commune_id IN (SELECT id FROM communes the clauses cover)``: most rows
    qualify, so the page's index walk stops early. No is rarer (a city's wards): the communes the
    rule leaves out are read first (one query on the territory's small table) and the rows are
    matched against that list passed as one parameter (``kernel.db.InIds``), which the planner
    estimates from the column's statistics; a subquery over the clauses' joins it misjudged, and
    walked a province's whole index for it. Measured in ``bench/README.md``.
    """
    on = on or timezone.localdate()
    rule = EligibilityRule.in_force(on)
    if rule is None:  # nothing is eligible, everything is "no"
        return Q(pk__in=[]) if eligible else Q()
    condition = Q(pk__in=[])
    for clause in rule.clauses:
        condition |= _clause_q(clause, "", on)
    covered = Commune.objects.filter(condition).values("pk")
    field = "legacy_commune_id" if on < REFORM_DATE else "commune_id"
    if eligible:
        wanted = Q(**{f"{field}__in": covered})
        if rule.recognised_craft_village:
            wanted |= Q(craft_village_id__in=CraftVillage.objects.filter(recognised=True).values("pk"))
        return wanted
    # Every commune a record points to is a row of the commune table (a foreign key), so "not in
    # the covered communes" is "in the others"; before the reform a record without the commune of
    # the time cannot be decided, so it is a "no" too.
    others = list(Commune.objects.exclude(pk__in=covered).values_list("pk", flat=True))
    unwanted = Q(InIds(field, others))
    if on < REFORM_DATE:
        unwanted |= Q(legacy_commune_id__isnull=True)
    if rule.recognised_craft_village:
        unwanted &= Q(craft_village_id__isnull=True) | Q(
            craft_village_id__in=CraftVillage.objects.filter(recognised=False).values("pk")
        )
    return unwanted


def eligible_ids_q(on: dt.date | None = None) -> Q:
    """:func:`eligible_q` on the establishment's own columns: the eligible communes are read first
    (a small table), so the list filters ``commune_id IN (…)`` and the planner can estimate it,
    instead of joining communes, districts and provinces for every row it walks."""
    on = on or timezone.localdate()
    rule = EligibilityRule.in_force(on)
    if rule is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for clause in rule.clauses:
        condition |= _clause_q(clause, "", on)
    communes = sorted(Commune.objects.filter(condition).values_list("pk", flat=True))
    field = "legacy_commune_id" if on < REFORM_DATE else "commune_id"
    eligible = Q(**{f"{field}__in": communes})
    if rule.recognised_craft_village:
        eligible |= Q(craft_village_id__in=CraftVillage.objects.filter(recognised=True).values("pk"))
    return eligible


def eligible_q(on: dt.date | None = None) -> Q:
    """A filter for establishments eligible on ``on`` (for list filters); undecided ones are not in it."""
    on = on or timezone.localdate()
    rule = EligibilityRule.in_force(on)
    if rule is None:
        return Q(pk__in=[])
    prefix = "legacy_commune" if on < REFORM_DATE else "commune"
    condition = Q(pk__in=[])
    for clause in rule.clauses:
        condition |= _clause_q(clause, prefix, on)
    if rule.recognised_craft_village:
        condition |= Q(craft_village__recognised=True)
    return condition
