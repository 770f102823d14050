"""What is due next on a project, from whom and by when (DOMAIN.md §5, issue 10 part 5).

A project's state says what must happen next (``DUE_RULES``: a draft must be submitted by its
implementer, a submitted one appraised by the Department, an approved national one contracted by
the Agency…) and the rulebook's deadline rules say by when (``rulebook.services``: the rule in
force for the deadline's code, level, province and plan year, with its legal document cited). A
due item without a rule has no date and is never overdue: the rulebook may add one later under
the item's code without a code change (e.g. ``province_appraisal`` for the Department's own date).

Rules are read as in force on 1 January of the project's plan year (a one-off directive of 2020
applies to the 2020 plan; the registration of the 2027 plan, due in 2026, follows the rules of the
2027 plan). Many projects are computed at once (:func:`due_items`): the rule tables are read once,
each distinct (code, level, province, year) answer is asked of the rulebook once — and years whose
candidate rules are the same share that answer — so a list of thousands costs a fixed number of
queries. :func:`overdue_q` turns the same answers into one filter (state, level, year and event
date thresholds), so "overdue" is a query, never Python over every row.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, Scope, restrict, user_scope
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.projects.models import Project, ProjectState
from khuyencong.rulebook.models import DeadlineRule, LegalDocument, Level
from khuyencong.rulebook.services import applicable_rule, compute_deadline
from khuyencong.territory.models import Province

S = ProjectState
NATIONAL, LOCAL = str(Level.NATIONAL), str(Level.LOCAL)

# Who must act, by the part they play (the role's label names it; the org unit comes from the project).
IMPLEMENTER, DEPARTMENT, PROVINCE_APPROVER, AGENCY, APPROVER = (
    "implementer",
    "department",
    "province_approver",
    "agency",
    "approver",
)
ACTOR_ROLES: dict[str, str] = {
    IMPLEMENTER: Role.IMPLEMENTER,
    DEPARTMENT: Role.PROVINCIAL_OFFICER,
    PROVINCE_APPROVER: Role.PROVINCIAL_LEADER,
    AGENCY: Role.AGENCY_OFFICER,
    APPROVER: Role.AGENCY_LEADER,
}


@dataclass(frozen=True)
class DueRule:
    """One row of the table of what is due: in ``states`` (at ``levels``) the project waits for
    ``steps`` (lifecycle actions, or a permission such as ``propose_adjustment``), due by the
    deadline rule ``code``; ``event`` is the project's date an offset rule counts from."""

    key: str
    states: frozenset[str]
    code: str
    label: str | Promise
    actor: str
    steps: tuple[str, ...]
    levels: tuple[str, ...] = (NATIONAL, LOCAL)
    event: str | None = None
    disrupted_only: bool = False

    def matches(self, project: Project) -> bool:
        return (
            project.state in self.states
            and project.level in self.levels
            and (not self.disrupted_only or bool(project.disruption))
        )

    def q(self) -> Q:
        condition = Q(state__in=sorted(self.states), level__in=self.levels)
        if self.disrupted_only:
            condition &= ~Q(disruption="")
        return condition


DUE_RULES: tuple[DueRule, ...] = (
    DueRule("submit", frozenset({S.DRAFT, S.RETURNED}), "registration_to_province",
            _("Submit the proposal to the Department"), IMPLEMENTER, ("submit",)),
    DueRule("province_appraisal", frozenset({S.SUBMITTED}), "province_appraisal",
            _("Appraise the proposal"), DEPARTMENT, ("province_pass", "province_return", "province_reject")),
    DueRule("send_to_agency", frozenset({S.PROVINCE_PASSED}), "send_to_agency", _("Send to the Agency"),
            DEPARTMENT, ("send_to_agency",), levels=(NATIONAL,)),
    DueRule("approve_local", frozenset({S.PROVINCE_PASSED}), "local_approval", _("Approve into the local plan"),
            PROVINCE_APPROVER, ("approve_local",), levels=(LOCAL,)),
    DueRule("agency_appraisal", frozenset({S.AT_AGENCY}), "agency_appraisal", _("Appraise at the Agency"),
            AGENCY, ("agency_pass", "agency_return", "agency_reject"), levels=(NATIONAL,)),
    DueRule("approve", frozenset({S.AGENCY_PASSED}), "approval", _("Approve into the plan"), APPROVER,
            ("approve",), levels=(NATIONAL,)),
    DueRule("contract", frozenset({S.APPROVED}), "contract_signing", _("Sign the contract"), AGENCY,
            ("contract",), levels=(NATIONAL,)),
    DueRule("contract_local", frozenset({S.APPROVED}), "contract_signing", _("Sign the contract"), DEPARTMENT,
            ("contract_local",), levels=(LOCAL,)),
    DueRule("revised_proposal", frozenset({S.APPROVED, S.CONTRACTED, S.IN_PROGRESS}), "revised_proposals",
            _("Send the revised proposal (disrupted project)"), IMPLEMENTER, ("propose_adjustment",),
            disrupted_only=True),
    DueRule("start", frozenset({S.CONTRACTED}), "work_start", _("Start the work"), IMPLEMENTER, ("start",)),
    DueRule("accept", frozenset({S.IN_PROGRESS}), "facility_acceptance", _("Accept at the facility"),
            IMPLEMENTER, ("accept",)),
    DueRule("submit_settlement", frozenset({S.ACCEPTED}), "settlement_dossier", _("Send the settlement dossier"),
            IMPLEMENTER, ("submit_settlement",), event="accepted_on"),
    DueRule("settle", frozenset({S.SETTLEMENT_SUBMITTED}), "liquidation", _("Liquidate the contract and settle"),
            AGENCY, ("settle",), levels=(NATIONAL,)),
    DueRule("settle_local", frozenset({S.SETTLEMENT_SUBMITTED}), "liquidation",
            _("Liquidate the contract and settle"), DEPARTMENT, ("settle_local",), levels=(LOCAL,)),
    DueRule("close", frozenset({S.SETTLED}), "closure", _("Close the project"), AGENCY, ("close",),
            levels=(NATIONAL,)),
    DueRule("close_local", frozenset({S.SETTLED}), "closure", _("Close the project"), DEPARTMENT,
            ("close_local",), levels=(LOCAL,)),
)  # fmt: skip
RULES_BY_KEY = {rule.key: rule for rule in DUE_RULES}
# Whose job each lifecycle step is (the actor of the due item it settles).
STEP_ACTORS: dict[str, str] = {step: rule.actor for rule in DUE_RULES for step in rule.steps}
# The roles whose job a due item is. Others may hold the same permission (the Agency's officers may
# also submit, a Department officer too), but the worklist and the reminders go to these; system
# administrators hold every permission and are nobody's worklist.
ACTOR_ROLE_SETS: dict[str, frozenset[str]] = {
    IMPLEMENTER: frozenset({Role.IMPLEMENTER, Role.REGIONAL_OFFICER}),
    DEPARTMENT: frozenset({Role.PROVINCIAL_OFFICER, Role.PROVINCIAL_LEADER, Role.PROVINCIAL_FINANCE}),
    PROVINCE_APPROVER: frozenset({Role.PROVINCIAL_LEADER}),
    AGENCY: frozenset({Role.AGENCY_OFFICER}),
    APPROVER: frozenset({Role.AGENCY_LEADER}),
}
# States in which something is due (every state but the final ones).
OPEN_STATES = frozenset(state for rule in DUE_RULES for state in rule.states)


def due_choices() -> list[tuple[str, Any]]:
    """(key, label) of each due item, for filters (one entry per label and level pair)."""
    return [(rule.key, rule.label) for rule in DUE_RULES]


@dataclass(frozen=True)
class Due:
    """One thing due on a project: what, from whom, by when, under which rule."""

    project_id: int
    key: str
    code: str  # the deadline rule's code in the rulebook
    label: str
    actor: str  # IMPLEMENTER, DEPARTMENT…
    actor_role: str  # the role's label
    actor_unit: str  # the org unit that must act
    steps: tuple[str, ...]
    due_date: dt.date | None
    today: dt.date
    rule: DeadlineRule | None = None
    legal_document: LegalDocument | None = None
    note: str = ""  # why there is no date, when there is none

    @property
    def overdue(self) -> bool:
        return self.due_date is not None and self.due_date < self.today

    @property
    def days_left(self) -> int | None:
        return None if self.due_date is None else (self.due_date - self.today).days

    @property
    def days_late(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0

    @property
    def rule_name(self) -> str:
        return self.rule.name if self.rule is not None else ""

    @property
    def citation(self) -> str:
        """The rule and its legal document, as a screen cites them."""
        if self.rule is None:
            return ""
        return f"{self.rule.name} ({self.legal_document})" if self.legal_document else self.rule.name

    def sort_key(self) -> tuple:
        return (not self.overdue, self.due_date or dt.date.max, self.project_id)


# --- the rules, read once per computation ----------------------------------------------------


@dataclass
class _Candidate:
    pk: int
    code: str
    level: str
    shape: str
    effective_from: dt.date
    effective_to: dt.date | None
    applies_to_year: int | None
    province_id: int | None  # the current province a local rule governs (legacy matched to its successor)
    provinces: frozenset[int] = field(default_factory=frozenset)  # one-off directive's provinces (current)


@dataclass(frozen=True)
class Answer:
    rule: DeadlineRule | None
    message: str = ""

    def due(self, year: int, event_date: dt.date | None) -> dt.date | None:
        if self.rule is None:
            return None
        try:
            return compute_deadline(self.rule, year=year, event_date=event_date)
        except ValueError:
            return None


NO_RULE = Answer(None, "")

# Answers kept per process, keyed by what the rule tables held when they were read (every column a
# due date depends on), so a rule added, ended or moved changes the key; kept ANSWER_TTL seconds.
ANSWER_TTL = 300.0
_answers: dict[tuple, tuple[float, Answer]] = {}


class RuleBook:
    """The deadline rules as one computation sees them: every rule row read once (two queries), and
    each distinct question asked of ``rulebook.services.applicable_rule`` once. Questions whose
    candidate rules (code, level, in force on the date, plan year, province) are the same share
    one answer, so twenty plan years under one rule are one question."""

    def __init__(self) -> None:
        self._candidates: dict[tuple[str, str], list[_Candidate]] | None = None
        self._answers: dict[tuple, Answer] = {}
        self._province_sensitive: set[tuple[str, str]] = set()
        self._provinces: dict[int, Province] = {}
        self._fingerprint = 0

    def _load(self) -> dict[tuple[str, str], list[_Candidate]]:
        if self._candidates is not None:
            return self._candidates
        rows = list(
            DeadlineRule.objects.values(
                "pk", "code", "level", "shape", "effective_from", "effective_to", "applies_to_year",
                "province_id", "province__successor_id", "month", "day", "year_offset", "offset_days",
                "due_on", "name", "legal_document_id", "legal_document__number",
            ).order_by("pk")
        )  # fmt: skip
        scoped: dict[int, set[int]] = defaultdict(set)
        through = DeadlineRule.applies_to_provinces.through
        links = list(
            through.objects.values_list("deadlinerule_id", "province_id", "province__successor_id").order_by("pk")
        )
        for rule_id, province_id, successor_id in links:
            scoped[rule_id].add(successor_id or province_id)
        self._fingerprint = hash((tuple(tuple(row.values()) for row in rows), tuple(links)))
        candidates: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
        for row in rows:
            candidate = _Candidate(
                pk=row["pk"],
                code=row["code"],
                level=row["level"],
                shape=row["shape"],
                effective_from=row["effective_from"],
                effective_to=row["effective_to"],
                applies_to_year=row["applies_to_year"],
                province_id=row["province__successor_id"] or row["province_id"],
                provinces=frozenset(scoped.get(row["pk"], ())),
            )
            candidates[(candidate.code, candidate.level)].append(candidate)
            if candidate.level == LOCAL or candidate.provinces:
                self._province_sensitive.add((candidate.code, candidate.level))
        self._candidates = dict(candidates)
        return self._candidates

    def has_rules(self, code: str, level: str) -> bool:
        return bool(self._load().get((code, level)))

    def province_sensitive(self, code: str, level: str) -> bool:
        self._load()
        return (code, level) in self._province_sensitive

    @staticmethod
    def anchor(year: int) -> dt.date:
        return dt.date(year, 1, 1)

    def _matching(self, code: str, level: str, year: int, province_id: int | None) -> tuple:
        on = self.anchor(year)
        keep = []
        for c in self._load().get((code, level), ()):
            if c.effective_from > on or (c.effective_to is not None and c.effective_to < on):
                continue
            if c.shape == DeadlineRule.Shape.ONE_OFF and c.applies_to_year != year:
                continue
            if level == LOCAL and c.province_id != province_id:
                continue
            if c.provinces and province_id is not None and province_id not in c.provinces:
                continue
            keep.append(c.pk)
        return tuple(sorted(keep))

    def answer(self, code: str, level: str, year: int, province: Province | int | None) -> Answer:
        """The rule for deadline ``code`` of a ``level`` project of ``year`` in ``province``."""
        if not self.has_rules(code, level):
            return NO_RULE
        province_id = province.pk if isinstance(province, Province) else province
        if not self.province_sensitive(code, level):
            province_id = None
        matching = self._matching(code, level, year, province_id)
        if not matching:
            return NO_RULE
        key = (self._fingerprint, code, level, province_id, matching)
        found = self._answers.get(key)
        if found is None:
            now = time.monotonic()
            kept = _answers.get(key)
            if kept is not None and now - kept[0] < ANSWER_TTL:
                found = kept[1]
            else:
                place = self._province(province_id)
                applicable = applicable_rule(
                    DeadlineRule, on=self.anchor(year), level=level, province=place, code=code, year=year
                )
                found = Answer(applicable.rule, applicable.message)
                if len(_answers) > 4096:
                    _answers.clear()
                _answers[key] = (now, found)
            self._answers[key] = found
        return found

    def _province(self, province_id: int | None) -> Province | None:
        if province_id is None:
            return None
        if province_id not in self._provinces:
            self._provinces[province_id] = Province.objects.get(pk=province_id)
        return self._provinces[province_id]


# --- who must act ----------------------------------------------------------------------------


def _units(projects: Sequence[Project]) -> tuple[dict[int, str], str]:
    """The Departments of the projects' provinces and the Agency: one query."""
    provinces = {p.province_id for p in projects if p.province_id}
    rows = OrgUnit.objects.filter(
        Q(kind=OrgUnit.Kind.DOIT, province_id__in=sorted(provinces)) | Q(kind=OrgUnit.Kind.AGENCY), is_active=True
    ).values_list("kind", "province_id", "name")
    departments: dict[int, str] = {}
    agency = ""
    for kind, province_id, name in rows:
        if kind == OrgUnit.Kind.AGENCY:
            agency = agency or name
        elif province_id is not None:
            departments.setdefault(province_id, name)
    return departments, agency


def _actor_unit(actor: str, project: Project, departments: dict[int, str], agency: str) -> str:
    if actor == IMPLEMENTER:
        return project.implementing_unit.name
    if actor in (DEPARTMENT, PROVINCE_APPROVER):
        return departments.get(project.province_id or 0, "") or gettext("Department of Industry and Trade")
    return agency or gettext("Agency")


# --- due items -------------------------------------------------------------------------------


def due_items(
    projects: Iterable[Project], *, today: dt.date | None = None, book: RuleBook | None = None
) -> dict[int, list[Due]]:
    """What is due on each project (most urgent first), by project id. ``projects`` need their
    ``implementing_unit`` (``select_related``); the cost is a fixed number of queries however
    many projects there are."""
    today = today or timezone.localdate()
    book = book or RuleBook()
    rows = list(projects)
    departments, agency = _units(rows)
    roles = dict(Role.choices)
    result: dict[int, list[Due]] = {}
    for project in rows:
        items = []
        for rule in DUE_RULES:
            if not rule.matches(project):
                continue
            answer = book.answer(rule.code, project.level, project.year, project.province_id)
            event = getattr(project, rule.event) if rule.event else None
            due_date = answer.due(project.year, event)
            note = ""
            if answer.rule is None:
                note = gettext("No deadline rule in the rulebook.")
            elif due_date is None and rule.event:
                note = gettext("The date it counts from is not recorded.")
            items.append(
                Due(
                    project_id=project.pk,
                    key=rule.key,
                    code=rule.code,
                    label=str(rule.label),
                    actor=rule.actor,
                    actor_role=str(roles[ACTOR_ROLES[rule.actor]]),
                    actor_unit=_actor_unit(rule.actor, project, departments, agency),
                    steps=rule.steps,
                    due_date=due_date,
                    today=today,
                    rule=answer.rule,
                    legal_document=answer.rule.legal_document if answer.rule is not None else None,
                    note=note,
                )
            )
        result[project.pk] = sorted(items, key=Due.sort_key)
    return result


def due_for(project: Project, *, today: dt.date | None = None) -> list[Due]:
    """What is due on one project (its page)."""
    return due_items([project], today=today).get(project.pk, [])


def attach_due(
    projects: Sequence[Project],
    *,
    today: dt.date | None = None,
    book: RuleBook | None = None,
    key: str | None = None,
    overdue: bool | None = None,
) -> None:
    """Set ``project.due`` (list) and ``project.next_due`` (the most urgent or None) on each
    project; ``key`` and ``overdue`` keep only the items a list was filtered on."""
    found = due_items(projects, today=today, book=book)
    for project in projects:
        items = [
            due
            for due in found.get(project.pk, [])
            if (key is None or due.key == key) and (overdue is None or due.overdue == overdue)
        ]
        setattr(project, "due", items)  # noqa: B010 (an attribute the template reads, not a field)
        setattr(project, "next_due", items[0] if items else None)  # noqa: B010


# --- overdue as a query ----------------------------------------------------------------------


def _years(queryset: QuerySet | None) -> list[int]:
    bounds = (queryset if queryset is not None else Project.objects.all()).aggregate(low=Min("year"), high=Max("year"))
    if bounds["low"] is None:
        return []
    return list(range(bounds["low"], bounds["high"] + 1))


def overdue_q(
    *,
    today: dt.date | None = None,
    book: RuleBook | None = None,
    years: Iterable[int] | None = None,
    keys: Iterable[str] | None = None,
) -> Q:
    """A filter keeping the projects with something overdue on ``today``: per due item, its
    states and level, and the plan years whose deadline has passed (calendar rules) or the event
    dates older than the rule's offset (offset rules). ``keys`` limits it to some due items."""
    today = today or timezone.localdate()
    book = book or RuleBook()
    wanted = set(keys) if keys is not None else None
    year_list = list(years) if years is not None else _years(None)
    parts: list[Q] = []
    provinces: list[int] | None = None
    for rule in DUE_RULES:
        if wanted is not None and rule.key not in wanted:
            continue
        for level in rule.levels:
            if not book.has_rules(rule.code, level):
                continue
            if book.province_sensitive(rule.code, level):
                if provinces is None:
                    provinces = list(Province.objects.current().values_list("pk", flat=True))
                places: list[int | None] = [*provinces, None]
            else:
                places = [None]
            for place in places:
                condition = _overdue_part(rule, level, place, year_list, today, book)
                if condition is None:
                    continue
                if book.province_sensitive(rule.code, level):
                    condition &= Q(province_id=place) if place is not None else Q(province__isnull=True)
                parts.append(rule.q() & Q(level=level) & condition)
    return reduce(or_, parts) if parts else Q(pk__in=[])


def _overdue_part(
    rule: DueRule, level: str, place: int | None, years: list[int], today: dt.date, book: RuleBook
) -> Q | None:
    late_years: list[int] = []
    by_offset: dict[int, list[int]] = defaultdict(list)
    for year in years:
        answer = book.answer(rule.code, level, year, place)
        if answer.rule is None:
            continue
        if answer.rule.shape == DeadlineRule.Shape.OFFSET:
            if rule.event and answer.rule.offset_days is not None:
                by_offset[answer.rule.offset_days].append(year)
            continue
        due = answer.due(year, None)
        if due is not None and due < today:
            late_years.append(year)
    parts = []
    if late_years:
        parts.append(Q(year__in=late_years))
    for offset, offset_years in by_offset.items():
        parts.append(Q(year__in=offset_years, **{f"{rule.event}__lt": today - dt.timedelta(days=offset)}))
    return reduce(or_, parts) if parts else None


def due_q(keys: Iterable[str]) -> Q:
    """Projects waiting for one of the due items ``keys``."""
    parts = [RULES_BY_KEY[key].q() for key in keys if key in RULES_BY_KEY]
    return reduce(or_, parts) if parts else Q(pk__in=[])


# --- what a user must act on -----------------------------------------------------------------


@dataclass
class WorkItem:
    project: Project
    steps: list[Any]  # lifecycle Steps the user may take now (labels for the screen)
    due: Due | None


@dataclass
class Worklist:
    items: list[WorkItem]
    total: int
    overdue: int
    overdue_in_reach: int


def _user_roles(user) -> set[str]:
    from khuyencong.organisation.services import active_assignments

    if not getattr(user, "is_authenticated", False):
        return set()
    return {assignment.role for assignment in active_assignments(user)}


def _step_scopes(user) -> list[tuple[Any, Scope, Q]]:
    """(step, reach, condition) for each lifecycle step that is the job of one of the user's roles
    (``ACTOR_ROLE_SETS``) and that the role matrix lets them take somewhere."""
    from khuyencong.projects import actions

    roles = _user_roles(user)
    found = []
    for step in actions.STEPS:
        actor = STEP_ACTORS.get(step.action)
        if actor is None or not roles & ACTOR_ROLE_SETS[actor]:
            continue  # stop and cancel follow an adjustment request; other roles' jobs
        reach = user_scope(user, step.permission, Project)
        if reach.is_empty:
            continue
        condition = Q(state__in=sorted(step.source))
        if actions._national in step.checks:
            condition &= Q(level=NATIONAL)
        if actions._local in step.checks:
            condition &= Q(level=LOCAL)
        found.append((step, reach, condition & reach.q(Project)))
    return found


def actionable(user) -> tuple[QuerySet, list[tuple[Any, Scope, Q]]]:
    """The projects on which ``user`` may take a lifecycle step now (one filter over every step
    the user's roles allow, each within its own reach), with the steps."""
    steps = _step_scopes(user)
    if not steps:
        return Project.objects.none(), steps
    condition = reduce(or_, (q for _step, _reach, q in steps))
    return Project.objects.filter(condition).select_related("province", "implementing_unit"), steps


def _steps_for(project: Project, steps: list[tuple[Any, Scope, Q]]) -> list[Any]:
    from khuyencong.projects import actions

    result = []
    for step, reach, _q in steps:
        if project.state not in step.source:
            continue
        if actions._national in step.checks and project.level != NATIONAL:
            continue
        if actions._local in step.checks and project.level != LOCAL:
            continue
        if reach.covers(province_id=project.province_id, org_unit_id=project.implementing_unit_id):
            result.append(step)
    return result


def worklist(user, *, today: dt.date | None = None, limit: int = 10) -> Worklist:
    """What ``user`` must act on: projects where they may take a step now, overdue first, with
    the date each is due; and how many overdue projects lie in their reach. A fixed number of
    queries (about eight) whatever the numbers."""
    today = today or timezone.localdate()
    book = RuleBook()
    rows, steps = actionable(user)
    late = overdue_q(today=today, book=book)
    in_reach = restrict(Project.objects.all(), user, Action.VIEW).filter(late).order_by().count()
    if not steps:
        return Worklist([], 0, 0, in_reach)
    ordered = ("year", "name_key", "pk")
    picked = list(rows.filter(late).order_by(*ordered)[:limit])
    if len(picked) < limit:
        picked += list(rows.exclude(late).order_by(*ordered)[: limit - len(picked)])
    found = due_items(picked, today=today, book=book)
    items = []
    for project in picked:
        can_take = _steps_for(project, steps)
        actions_taken = {step.action for step in can_take}
        mine = [due for due in found.get(project.pk, []) if actions_taken & set(due.steps)]
        candidates = mine or found.get(project.pk) or []
        items.append(WorkItem(project, can_take, candidates[0] if candidates else None))
    items.sort(key=lambda item: item.due.sort_key() if item.due else (True, dt.date.max, item.project.pk))
    total = rows.order_by()[:10_001].count()
    overdue = rows.filter(late).order_by().count() if picked else 0
    return Worklist(items, total, overdue, in_reach)


# --- the due and overdue lists ---------------------------------------------------------------


def deadline_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """Projects with something due, within ``user``'s reach for ``action``, filtered by
    ``DeadlineFilters`` and grouped by province and implementing unit."""
    from khuyencong.projects.deadline_filters import DeadlineFilters
    from khuyencong.projects.selectors import projects

    spec = bind(DeadlineFilters, filters, user=user)
    rows = projects().filter(state__in=sorted(OPEN_STATES))
    return spec.apply(restrict(rows, user, action))
