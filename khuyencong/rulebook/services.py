"""The rulebook's answers for every later check: which rule applies, what it allows, when it is due.

Other domains (plans, projects, finance) call these functions; none of them reads a rule table
directly, so "which version was in force" is decided in one place.

Jurisdiction. National (KCQG) money follows national rules wherever the project is; local (KCĐP)
money follows the rules of the province that pays. A local lookup does **not** fall back to the
national rule: DOMAIN.md §4 says local norms come from each province's People's Council resolution
and differ from the national ones, and nothing says the national figures apply where a province
has not legislated. A local lookup without a local rule answers ``no_rule`` with a reason the
screen shows; a caller that wants the national figure for comparison asks for it explicitly
(``level=Level.NATIONAL``). See docs/adr/0006-versioned-rules.md.

Provinces. A province before 1/7/2025 is matched through its successor, so a rule set by the
province of today applies to records of the units merged into it, and a rule set by a legacy
province still applies to its own records on dates before the merger.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from khuyencong.rulebook.models import (
    ActivityContent,
    AdvanceRule,
    Area,
    Beneficiary,
    DeadlineRule,
    DossierList,
    LegalDocument,
    Level,
    SpendingNorm,
    VersionedRule,
)
from khuyencong.territory.models import Province

# Rule types that hang off activity contents (a lookup with a content filters on it).
_WITH_CONTENTS = (SpendingNorm, AdvanceRule, DossierList)


@dataclass(frozen=True)
class Applicable[R: VersionedRule]:
    """The answer of :func:`applicable_rule`: the rule (or None) with its legal basis and why."""

    rule: R | None
    on: dt.date
    reason: str  # "found", "no_rule", "no_province", "ambiguous"
    message: str
    candidates: tuple[R, ...] = field(default=())

    @property
    def legal_document(self) -> LegalDocument | None:
        return self.rule.legal_document if self.rule is not None else None

    @property
    def found(self) -> bool:
        return self.rule is not None


def jurisdiction_provinces(province: Province | None) -> list[int]:
    """Ids of the provinces whose local rules govern ``province``: itself, its successor (a legacy
    unit merged into a current one) and the legacy units merged into it."""
    if province is None:
        return []
    ids = {province.pk}
    current = province
    seen: set[int] = set()
    while current.successor_id is not None and current.pk not in seen:
        seen.add(current.pk)
        ids.add(current.successor_id)
        current = Province.objects.get(pk=current.successor_id)
    ids |= set(Province.objects.filter(successor_id__in=ids).values_list("pk", flat=True))
    return sorted(ids)


def _specificity(rule: VersionedRule, province: Province | None) -> tuple[int, ...]:
    """Higher is more specific: the exact province, then a set kind, area and beneficiary."""
    exact = int(province is not None and rule.province_id == province.pk)
    if isinstance(rule, SpendingNorm):
        return (
            exact,
            int(bool(rule.project_kind)),
            int(rule.area != Area.ANY),
            int(rule.beneficiary != Beneficiary.ANY),
        )
    if isinstance(rule, DeadlineRule):
        return (exact, int(rule.shape == DeadlineRule.Shape.ONE_OFF), int(rule.applies_to_provinces.exists()))
    return (exact,)


def applicable_rule[R: VersionedRule](
    rule_type: type[R],
    *,
    on: dt.date,
    level: str = Level.NATIONAL,
    province: Province | None = None,
    content: ActivityContent | None = None,
    code: str | None = None,
    kind: str | None = None,
    disadvantaged: bool | None = None,
    beneficiary: str | None = None,
    year: int | None = None,
) -> Applicable[R]:
    """Which rule of ``rule_type`` applies on ``on`` to this jurisdiction, content, kind, place and
    beneficiary — with its legal document.

    ``level`` national reads national rules wherever ``province`` is; local reads the rules of
    ``province`` (required) and of the provinces merged into it or it was merged into, never the
    national ones (module docstring). ``content`` keeps rules that list it (rules listing no
    content apply to every content); ``code`` names the rule (e.g. ``machinery``). ``kind``,
    ``disadvantaged`` and ``beneficiary`` (spending norms) keep rules set for that value or for
    any; ``year`` (deadlines) keeps one-off directives for that plan year. ``province`` also
    limits one-off directives scoped to some provinces. When several versions of different
    series remain, the most specific wins (exact province, then set kind, area, beneficiary);
    a tie between series is ``ambiguous`` (no rule, the candidates listed).
    """
    rules = rule_type.objects.in_force(on).select_related("legal_document", "province")
    if level == Level.LOCAL:
        if province is None:
            return Applicable(None, on, "no_province", _("A local rule needs the province."))
        rules = rules.filter(level=Level.LOCAL, province_id__in=jurisdiction_provinces(province))
    else:
        rules = rules.filter(level=Level.NATIONAL)
    if code:
        rules = rules.filter(code=code)
    if content is not None and rule_type in _WITH_CONTENTS:
        rules = rules.filter(Q(contents=content) | Q(contents__isnull=True)).distinct()
    if rule_type is SpendingNorm:
        if kind:
            rules = rules.filter(Q(project_kind=kind) | Q(project_kind=""))
        if disadvantaged is not None:
            rules = rules.filter(area__in=[Area.ANY, Area.DISADVANTAGED if disadvantaged else Area.OTHER])
        if beneficiary:
            rules = rules.filter(beneficiary__in=[Beneficiary.ANY, beneficiary])
    if rule_type is DeadlineRule:
        one_off = Q(shape=DeadlineRule.Shape.ONE_OFF)
        if year is not None:
            rules = rules.filter(~one_off | Q(applies_to_year=year))
        else:
            rules = rules.exclude(one_off)
        if province is not None:
            rules = rules.filter(
                Q(applies_to_provinces__isnull=True) | Q(applies_to_provinces__in=jurisdiction_provinces(province))
            ).distinct()
    found = list(rules)
    if not found:
        return Applicable(None, on, "no_rule", _no_rule_message(rule_type, on, level, province))
    ranked = sorted(found, key=lambda rule: _specificity(rule, province), reverse=True)
    best = ranked[0]
    ties = [rule for rule in ranked if _specificity(rule, province) == _specificity(best, province)]
    if len({rule.series for rule in ties}) > 1:
        return Applicable(
            None,
            on,
            "ambiguous",
            _("Several rules apply; say which one (its code)."),
            candidates=tuple(ranked),
        )
    message = _("%(rule)s, under %(basis)s.") % {"rule": best.name, "basis": best.legal_document}
    return Applicable(best, on, "found", message, candidates=tuple(ranked))


def _no_rule_message(rule_type: type[VersionedRule], on: dt.date, level: str, province: Province | None) -> str:
    values = {"what": rule_type._meta.verbose_name, "date": on.strftime("%d/%m/%Y"), "province": province}
    if level == Level.LOCAL:
        return (
            _("No %(what)s of %(province)s is in force on %(date)s (local rules do not fall back to national ones).")
            % values
        )
    return _("No national %(what)s is in force on %(date)s.") % values


# --- what a norm allows ---------------------------------------------------------------------


@dataclass(frozen=True)
class SupportCheck:
    """The most a norm allows for an eligible cost, and whether a requested support fits."""

    allowed: int | None  # None: the norm sets no limit
    requested: int
    ok: bool
    message: str


def support_ceiling(norm: SpendingNorm, eligible_cost: int, *, full_line: bool = False) -> int | None:
    """min(percent × eligible cost, cap) in whole đồng (rounded down); the full-line cap when
    ``full_line`` and the norm has a multiplier. None when the norm caps neither."""
    if eligible_cost < 0:
        raise ValueError("eligible cost cannot be negative")
    limits: list[int] = []
    if norm.percent_cap is not None:
        share = Decimal(eligible_cost) * norm.percent_cap / Decimal(100)
        limits.append(int(share.to_integral_value(rounding=ROUND_FLOOR)))
    cap = norm.line_cap() if full_line and norm.line_multiplier is not None else norm.amount_cap
    if cap is not None:
        limits.append(cap)
    return min(limits) if limits else None


def check_support(norm: SpendingNorm, *, eligible_cost: int, support: int, full_line: bool = False) -> SupportCheck:
    """Support ≤ min(percent × eligible cost, cap) (DOMAIN.md §4); negative amounts are refused."""
    if support < 0 or eligible_cost < 0:
        return SupportCheck(None, support, False, _("Amounts cannot be negative."))
    allowed = support_ceiling(norm, eligible_cost, full_line=full_line)
    if allowed is None or support <= allowed:
        return SupportCheck(allowed, support, True, "")
    message = _("The support of %(support)s đ exceeds what %(norm)s allows: %(allowed)s đ.") % {
        "support": f"{support:,}".replace(",", "."),
        "norm": norm,
        "allowed": f"{allowed:,}".replace(",", "."),
    }
    return SupportCheck(allowed, support, False, message)


# --- deadlines ------------------------------------------------------------------------------


def _calendar_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def compute_deadline(rule: DeadlineRule, *, year: int | None = None, event_date: dt.date | None = None) -> dt.date:
    """The date ``rule`` makes due. ``year`` is the plan year (annual and next-year shapes);
    ``event_date`` the event an offset counts from. Raises ValueError when what the shape needs
    is missing."""
    shape = rule.shape
    if shape == DeadlineRule.Shape.ONE_OFF:
        if rule.due_on is None:
            raise ValueError("a one-off deadline needs its date")
        return rule.due_on
    if shape == DeadlineRule.Shape.OFFSET:
        if event_date is None or rule.offset_days is None:
            raise ValueError("an offset deadline needs the event date")
        return event_date + dt.timedelta(days=rule.offset_days)
    if year is None or rule.month is None or rule.day is None:
        raise ValueError("a calendar deadline needs the plan year")
    extra = 1 if shape == DeadlineRule.Shape.NEXT_YEAR else 0
    return _calendar_date(year + rule.year_offset + extra, rule.month, rule.day)


def deadline(
    code: str,
    *,
    on: dt.date,
    level: str = Level.NATIONAL,
    province: Province | None = None,
    year: int | None = None,
    event_date: dt.date | None = None,
) -> tuple[dt.date | None, Applicable[DeadlineRule]]:
    """The due date of the deadline ``code`` (e.g. ``settlement_dossier``) under the rule in force
    on ``on``, with the answer that names the rule; (None, answer) when no rule applies."""
    answer = applicable_rule(DeadlineRule, on=on, level=level, province=province, code=code, year=year)
    if answer.rule is None:
        return None, answer
    return compute_deadline(answer.rule, year=year, event_date=event_date), answer


def versions(rule: VersionedRule) -> list[VersionedRule]:
    """Every version of the rule's series, newest first."""
    return list(
        type(rule).objects.filter(series=rule.series).select_related("legal_document").order_by("-effective_from")
    )


def rules_resting_on(document: LegalDocument) -> Iterable[VersionedRule]:
    """Every rule whose legal basis is ``document`` (for the document's page)."""
    for model in (SpendingNorm, AdvanceRule, DossierList, DeadlineRule):
        yield from (
            model.objects.filter(legal_document=document).select_related("province").order_by("code", "-effective_from")
        )
