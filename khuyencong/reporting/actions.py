"""Every write on periodic reports (ADR 0004).

* ``materialise_reports`` lays out the reports a form expects for a year (``services.expected_reports``)
  with their system figures; running it again adds only what is missing.
* ``save_values`` writes a unit's figures (the page's HTMX save, the API's PUT, the Excel upload);
  the first save of an expected report takes the step ``start`` (→ draft), of a returned one
  ``revise`` (→ draft).
* ``submit_report``, ``approve_report``, ``return_report`` take the steps of ``REPORT_LIFECYCLE``;
  ``take_report_step`` dispatches by name (pages and API).

Refusals: ``forbidden`` (403: no permission, or not one of the user's own units for a unit's
step, or the user's own unit for a review), ``not_found`` (404), ``locked`` (409: an approved
report is locked), ``wrong_state``, ``state_changed``, ``stale`` (409), ``before_unit_opened`` /
``after_unit_closed`` (422: the unit did not exist at the period's end), ``period_not_over``
(422: a report is submitted once its period ended), ``validation_error`` (422: per field, e.g.
``values.Q1`` out of range or a missing correction reason), ``comment_required`` (422).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
from khuyencong.organisation.models import Role, RoleAssignment
from khuyencong.organisation.permissions import allowed_actions
from khuyencong.reporting import services
from khuyencong.reporting.lifespan import lifespan_of
from khuyencong.reporting.models import (
    OPEN_STATES,
    Report,
    ReportForm,
    ReportState,
    ReportTransition,
    ReportValue,
)
from khuyencong.reporting.validation import parse_number, value_errors
from khuyencong.rulebook.models import Level

S = ReportState
SUBMIT, APPROVE, APPROVE_LOCAL, MANAGE = "submit", "approve", "approve_local", "manage"


def _forbidden() -> ActionRefused:
    return ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _not_found() -> ActionRefused:
    return ActionRefused("not_found", _("Not found."), status=404)


def _locked() -> ActionRefused:
    return ActionRefused("locked", _("This report was approved and is locked."))


def acts_for_unit(user, report: Report) -> bool:
    """Whether ``user`` sends the report's unit's reports: one of their roles holding ``submit`` is
    bound to that very unit (a Department does not fill in its provincial centre's report, though
    it reaches it), or is nationwide without a unit (system administrators)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = [role for role in Role.values if SUBMIT in allowed_actions(role, "reporting.report")]
    mine = RoleAssignment.objects.active().filter(user=user, role__in=roles)
    return mine.filter(Q(org_unit_id=report.org_unit_id) | Q(org_unit__isnull=True)).exists()


def _own_unit(report: Report, user) -> ActionRefused | None:
    if not acts_for_unit(user, report):
        return ActionRefused("forbidden", _("Only the unit itself sends its report."), status=403)
    return None


def _not_own_report(report: Report, user) -> ActionRefused | None:
    """The level above reviews: nobody approves or returns their own unit's report."""
    if user.is_superuser:
        return None
    if RoleAssignment.objects.active().filter(user=user, org_unit_id=report.org_unit_id).exists():
        return ActionRefused("forbidden", _("A unit does not review its own report."), status=403)
    return None


def _national(report: Report, user) -> ActionRefused | None:
    if report.form.level != Level.NATIONAL:
        return ActionRefused("wrong_level", _("The Department reviews the reports of this form."), status=403)
    return None


def _local(report: Report, user) -> ActionRefused | None:
    if report.form.level != Level.LOCAL:
        return ActionRefused("wrong_level", _("The Agency reviews the reports of this form."), status=403)
    return None


STEPS = [
    Step("start", {S.EXPECTED}, S.DRAFT, checks=(_own_unit,), permission=SUBMIT, label=gettext_lazy("Start")),
    Step("revise", {S.RETURNED}, S.DRAFT, checks=(_own_unit,), permission=SUBMIT, label=gettext_lazy("Revise")),
    Step("submit", OPEN_STATES, S.SUBMITTED, checks=(_own_unit,), permission=SUBMIT, label=gettext_lazy("Submit")),
    Step("approve", {S.SUBMITTED}, S.APPROVED, checks=(_national, _not_own_report), permission=APPROVE,
         label=gettext_lazy("Approve")),
    Step("return", {S.SUBMITTED}, S.RETURNED, checks=(_national, _not_own_report), needs_comment=True,
         permission=APPROVE, label=gettext_lazy("Return")),
    Step("approve_local", {S.SUBMITTED}, S.APPROVED, checks=(_local, _not_own_report), permission=APPROVE_LOCAL,
         label=gettext_lazy("Approve")),
    Step("return_local", {S.SUBMITTED}, S.RETURNED, checks=(_local, _not_own_report), needs_comment=True,
         permission=APPROVE_LOCAL, label=gettext_lazy("Return")),
]  # fmt: skip

REPORT_LIFECYCLE = Lifecycle(Report, record=ReportTransition, subject_field="report", field="state", steps=STEPS)
# What people call the steps (pages, API): "approve" and "return" choose the form's level.
PUBLIC_ACTIONS = ("submit", "approve", "return")


def available_steps(report: Report, user) -> list[Step]:
    return [s for s in REPORT_LIFECYCLE.available(report, user) if s.action not in ("start", "revise")]


def step_for(report: Report, action: str) -> str:
    """The lifecycle step behind a public action name for this report's form level."""
    if action in ("approve", "return") and report.form.level == Level.LOCAL:
        return f"{action}_local"
    return action


def require(user, permission: str, report: Report) -> None:
    """403 without the permission (or the report is seen but not reached for it), 404 unseen."""
    if not can(user, permission, Report):
        raise _forbidden()
    rows = Report._base_manager.filter(pk=report.pk)
    if not restrict(rows, user, permission).exists():
        raise _forbidden() if restrict(rows, user, Action.VIEW).exists() else _not_found()


def _existed(report: Report) -> None:
    span = lifespan_of(report.org_unit)
    if span.opened_on is not None and report.period_end < span.opened_on:
        raise ActionRefused(
            "before_unit_opened",
            _("The unit did not exist yet in this period (it opened on %(date)s).")
            % {"date": span.opened_on.strftime("%d/%m/%Y")},
            status=422,
        )
    if span.closed_on is not None and report.period_end >= span.closed_on:
        raise ActionRefused(
            "after_unit_closed",
            _("The unit no longer existed at the end of this period (it closed on %(date)s).")
            % {"date": span.closed_on.strftime("%d/%m/%Y")},
            status=422,
        )


# --- laying out the expected reports ----------------------------------------------------------


def materialise_reports(*, user, form: ReportForm, year: int) -> int:
    """Create the reports ``form`` expects for ``year`` that do not exist yet (state expected),
    with their system figures; returns how many were created. Idempotent."""
    if not can(user, MANAGE, Report):
        raise _forbidden()
    if year < 2000 or year > 2100:
        raise Invalid({"year": _("Give a year between 2000 and 2100.")})
    expected = services.expected_reports(form, year)
    scope = user_scope(user, MANAGE, Report)
    expected = [e for e in expected if scope.covers(province_id=e.province.pk if e.province else None,
                                                    org_unit_id=e.unit.pk)]  # fmt: skip
    indicators = list(form.indicators.all())
    created = 0
    with transaction.atomic():
        existing = set(Report.objects.filter(form=form, year=year).values_list("org_unit_id", "period_start"))
        for item in expected:
            if (item.unit.pk, item.period.start) in existing:
                continue
            report = Report.objects.create(
                form=form,
                org_unit=item.unit,
                province=item.province,
                period_start=item.period.start,
                period_end=item.period.end,
                period_label=item.period.label,
                year=year,
                due_on=item.due_on,
            )
            figures = services.system_figures(report, indicators)
            ReportValue.objects.bulk_create(
                [ReportValue(report=report, indicator=i, system_value=figures[i.pk]) for i in indicators]
            )
            created += 1
    return created


# --- the unit's figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class ValueInput:
    value: Any = None  # a number (or text for a text indicator); blank clears it
    reason: str = ""
    comment: str = ""


def _inputs(values: Mapping[str, Any]) -> dict[str, ValueInput]:
    out = {}
    for code, raw in values.items():
        if isinstance(raw, ValueInput):
            out[code] = raw
        elif isinstance(raw, Mapping):
            out[code] = ValueInput(raw.get("value"), str(raw.get("reason") or ""), str(raw.get("comment") or ""))
        else:
            out[code] = ValueInput(raw)
    return out


def check_values(report: Report, values: Mapping[str, Any], *, complete: bool = False) -> dict[int, dict]:
    """Parse and check ``values`` (indicator code -> value or {value, reason, comment}) against the
    report's indicators; returns indicator id -> the columns to write. Raises ``Invalid`` with a
    message per ``values.<code>`` field; nothing is written."""
    indicators = {i.code: i for i in report.form.indicators.all()}
    current = {v.indicator_id: v for v in report.values.all()}
    inputs = _inputs(values)
    errors: dict[str, str] = {}
    rows: dict[int, dict] = {}
    for code in inputs:
        if code not in indicators:
            errors[f"values.{code}"] = _("The form has no indicator %(code)s.") % {"code": code}
    for code, indicator in indicators.items():
        existing = current.get(indicator.pk)
        given = inputs.get(code)
        system = existing.system_value if existing else None
        if given is None:  # not sent: keep what is there
            reported = existing.reported_value if existing else None
            text = existing.text_value if existing else ""
            reason = existing.correction_reason if existing else ""
            comment = existing.comment if existing else ""
        else:
            reason, comment = given.reason.strip(), given.comment.strip()
            text, reported = "", None
            if indicator.is_text:
                text = str(given.value or "").strip()
            else:
                try:
                    reported = parse_number(given.value, indicator.kind)
                except ValueError as exc:
                    errors[f"values.{code}"] = str(exc)
                    continue
        problems = value_errors(indicator, reported=reported, text=text, system=system, reason=reason,
                                complete=complete)  # fmt: skip
        if problems:
            errors[f"values.{code}"] = " ".join(problems)
            continue
        if given is not None:
            rows[indicator.pk] = {"reported_value": reported, "text_value": text, "correction_reason": reason,
                                  "comment": comment}  # fmt: skip
    if errors:
        raise Invalid(errors, _("Some figures are not valid."))
    return rows


def _writable(user, report: Report, version: int | None) -> Report:
    require(user, SUBMIT, report)
    report = Report.objects.select_related("form", "org_unit", "org_unit__province").get(pk=report.pk)
    if report.is_locked:
        raise _locked()
    refusal = _own_unit(report, user)
    if refusal is not None:
        raise refusal
    if report.state not in OPEN_STATES:
        raise ActionRefused("wrong_state", _("A submitted report is changed only after it is returned."))
    if version is not None and version != report.version:
        raise ActionRefused(
            "stale", _("Someone else changed this report since you opened it; reload it and try again.")
        )
    _existed(report)
    return report


def save_values(*, user, report: Report, values: Mapping[str, Any], version: int | None = None) -> Report:
    """Write the unit's figures (only those given); an expected report becomes a draft, a returned
    one a draft again. Bumps ``version``."""
    report = _writable(user, report, version)
    rows = check_values(report, values)
    with transaction.atomic():
        if report.state == S.EXPECTED:
            report = REPORT_LIFECYCLE.perform(report, user, "start", version=version)
        elif report.state == S.RETURNED:
            report = REPORT_LIFECYCLE.perform(report, user, "revise", version=version)
        else:
            updated = Report.objects.filter(pk=report.pk, version=report.version, state=report.state).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
            if updated != 1:
                raise ActionRefused(
                    "state_changed", _("Someone else changed this record meanwhile; reload it and try again.")
                )
        _write_values(report, rows)
        report.refresh_from_db()
    return report


def _write_values(report: Report, rows: dict[int, dict]) -> None:
    existing = {v.indicator_id: v for v in ReportValue.objects.filter(report=report)}
    for indicator_id, columns in rows.items():
        value = existing.get(indicator_id)
        if value is None:
            ReportValue.objects.create(report=report, indicator_id=indicator_id, **columns)
        elif any(getattr(value, name) != new for name, new in columns.items()):
            ReportValue.objects.filter(pk=value.pk).update(**columns)


def refresh_system_values(*, user, report: Report) -> Report:
    """Read the system figures again (while the unit still works on the report)."""
    report = _writable(user, report, None)
    indicators = list(report.form.indicators.all())
    figures = services.system_figures(report, indicators)
    with transaction.atomic():
        existing = {v.indicator_id: v for v in ReportValue.objects.filter(report=report)}
        for indicator in indicators:
            value = existing.get(indicator.pk)
            if value is None:
                ReportValue.objects.create(report=report, indicator=indicator, system_value=figures[indicator.pk])
            elif value.system_value != figures[indicator.pk]:
                ReportValue.objects.filter(pk=value.pk).update(system_value=figures[indicator.pk])
    return report


# --- the steps --------------------------------------------------------------------------------


def submit_report(*, user, report: Report, on: dt.date | None = None, version: int | None = None) -> Report:
    """Send the report to the level above: every required figure present and valid, the period over."""
    report = _writable(user, report, version)
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="on", status=422)
    if day <= report.period_end:
        raise ActionRefused("period_not_over", _("A report is sent once its period is over."), status=422)
    check_values(report, {}, complete=True)
    return REPORT_LIFECYCLE.perform(report, user, "submit", version=version,
                                    changes={"submitted_on": day, "submitted_by_id": user.pk,
                                             "return_comment": ""})  # fmt: skip


def approve_report(*, user, report: Report, on: dt.date | None = None, comment: str = "",
                   version: int | None = None) -> Report:  # fmt: skip
    """Approve (and lock) a submitted report: the Agency for a national form, the Department for a local one."""
    return take_report_step(user=user, report=report, action="approve", on=on, comment=comment, version=version)


def return_report(*, user, report: Report, comment: str, on: dt.date | None = None,
                  version: int | None = None) -> Report:  # fmt: skip
    """Return a submitted report to its unit with the reason (required)."""
    return take_report_step(user=user, report=report, action="return", on=on, comment=comment, version=version)


def take_report_step(*, user, report: Report, action: str, comment: str = "", on: dt.date | None = None,
                     version: int | None = None) -> Report:  # fmt: skip
    """Take a public action (submit, approve, return) on ``report`` as ``user``."""
    if action not in PUBLIC_ACTIONS:
        raise ActionRefused("unknown_action", _("This action does not exist."), status=404)
    if action == "submit":
        return submit_report(user=user, report=report, on=on, version=version)
    report = Report.objects.select_related("form", "org_unit").get(pk=report.pk)
    name = step_for(report, action)
    step = REPORT_LIFECYCLE.step(name)
    require(user, step.permission, report)
    if report.is_locked:
        raise _locked()
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise ActionRefused("date_in_future", _("The date cannot be in the future."), field="on", status=422)
    changes: dict[str, Any] = {"approved_on": day} if step.target == S.APPROVED else {}
    if step.target == S.RETURNED:
        changes = {"returned_on": day, "return_comment": (comment or "").strip()}
    return REPORT_LIFECYCLE.perform(report, user, name, comment=comment, version=version, changes=changes)


# --- forms and who sends them -------------------------------------------------------------------

FORM_FIELDS = ("code", "name", "period_type", "level", "description", "legal_basis", "is_active")


@dataclass(frozen=True)
class IndicatorInput:
    code: str
    name: str
    kind: str = "integer"
    unit: str = ""
    min_value: Any = None
    max_value: Any = None
    required: bool = True
    source: str = ""


def _manager(user) -> None:
    """Forms and assignments are the Agency's (``manage`` nationwide): every unit sends them."""
    if not can(user, MANAGE, Report) or not user_scope(user, MANAGE, Report).everywhere:
        raise _forbidden()


def _indicator_errors(rows: list[IndicatorInput]) -> tuple[dict[str, str], list[dict]]:
    from khuyencong.reporting import sources
    from khuyencong.reporting.models import IndicatorKind

    errors: dict[str, str] = {}
    clean: list[dict] = []
    seen: set[str] = set()
    kinds = set(IndicatorKind.values)
    for n, row in enumerate(rows):
        prefix = f"indicators.{n}"
        code, name = (row.code or "").strip().upper(), (row.name or "").strip()
        if not code:
            errors[f"{prefix}.code"] = _("Give the indicator's code.")
        elif code in seen:
            errors[f"{prefix}.code"] = _("The code %(code)s is used twice.") % {"code": code}
        seen.add(code)
        if not name:
            errors[f"{prefix}.name"] = _("Give the indicator's name.")
        if row.kind not in kinds:
            errors[f"{prefix}.kind"] = _("Choose the kind of figure.")
        bounds = {}
        for field in ("min_value", "max_value"):
            try:
                bounds[field] = parse_number(getattr(row, field), IndicatorKind.PERCENT)
            except ValueError as exc:
                errors[f"{prefix}.{field}"] = str(exc)
                bounds[field] = None
        low, high = bounds["min_value"], bounds["max_value"]
        if low is not None and high is not None and low > high:
            errors[f"{prefix}.max_value"] = _("The largest allowed value cannot be below the smallest.")
        source = (row.source or "").strip()
        if source and source not in sources.registered() and source not in sources.FINANCE_HOOKS:
            errors[f"{prefix}.source"] = _("Unknown system figure “%(source)s”.") % {"source": source[:80]}
        if row.kind == IndicatorKind.TEXT and (low is not None or high is not None or source):
            errors[f"{prefix}.kind"] = _("A text indicator has no allowed range and no system figure.")
        unit = (row.unit or "").strip()
        clean.append({"position": n, "code": code, "name": name, "kind": row.kind, "unit": unit, "min_value": low,
                      "max_value": high, "required": bool(row.required), "source": source})  # fmt: skip
    if not rows:
        errors["indicators"] = _("A form needs at least one indicator.")
    return errors, clean


def save_report_form(*, user, values: Mapping[str, Any], indicators: list[IndicatorInput],
                     form: ReportForm | None = None) -> ReportForm:  # fmt: skip
    """Create or change a report form with its indicators (in the order given). An indicator some
    report already holds a figure of is kept (it cannot be removed), and a form with reports keeps
    its period. Refuses with a message per field (``code``, ``indicators.<n>.<field>``)."""
    from khuyencong.reporting.models import Indicator, PeriodType

    _manager(user)
    errors: dict[str, str] = {}
    code = str(values.get("code") or "").strip().upper()
    name = str(values.get("name") or "").strip()
    if not code:
        errors["code"] = _("Give the form's code.")
    elif ReportForm.objects.filter(code=code).exclude(pk=form.pk if form else 0).exists():
        errors["code"] = _("Another form has the code %(code)s.") % {"code": code}
    if not name:
        errors["name"] = _("Give the form's name.")
    period = values.get("period_type")
    if period not in PeriodType.values:
        errors["period_type"] = _("Choose how often the report is sent.")
    level = values.get("level")
    if level not in Level.values:
        errors["level"] = _("Choose who reviews the reports.")
    has_reports = form is not None and Report.objects.filter(form=form).exists()
    if has_reports and form is not None and period != form.period_type:
        errors["period_type"] = _("Reports of this form were laid out: its period cannot change.")
    row_errors, rows = _indicator_errors(indicators)
    errors.update(row_errors)
    kept: set[str] = set()
    if form is not None:
        used = set(ReportValue.objects.filter(report__form=form).values_list("indicator__code", flat=True).distinct())
        kept = used - {r["code"] for r in rows}
        if kept:
            errors["indicators"] = _("Reports hold figures of %(codes)s: keep these indicators.") % {
                "codes": ", ".join(sorted(kept))
            }
    if errors:
        raise Invalid(errors, _("The form is not valid."))
    with transaction.atomic():
        fields = {"code": code, "name": name, "period_type": period, "level": level,
                  "description": str(values.get("description") or "").strip(),
                  "legal_basis": str(values.get("legal_basis") or "").strip(),
                  "is_active": bool(values.get("is_active", True))}  # fmt: skip
        if form is None:
            form = ReportForm.objects.create(**fields)
        else:
            for key, value in fields.items():
                setattr(form, key, value)
            form.save()
        existing = {i.code: i for i in Indicator.objects.filter(form=form)}
        for row in rows:
            indicator = existing.pop(row["code"], None)
            if indicator is None:
                Indicator.objects.create(form=form, **row)
            elif any(getattr(indicator, k) != v for k, v in row.items()):
                for key, value in row.items():
                    setattr(indicator, key, value)
                indicator.save()
        for indicator in existing.values():
            indicator.delete()
    return form


def assign_form(*, user, form: ReportForm, unit_kind: str = "", units=(), from_year: Any, to_year: Any = None,
                due_days: Any = 15, assignment=None):  # fmt: skip
    """Say which units send ``form`` (every unit of a kind, or the units named) over which years
    and how many days after each period; refuses with a message per field."""
    from khuyencong.organisation.models import OrgUnit
    from khuyencong.reporting.models import FormAssignment

    _manager(user)
    errors: dict[str, str] = {}
    units = list(units)
    if not unit_kind and not units:
        errors["units"] = _("Choose a kind of unit or name the units.")
    if unit_kind and units:
        errors["units"] = _("Choose a kind of unit or name the units, not both.")
    if unit_kind and unit_kind not in OrgUnit.Kind.values:
        errors["unit_kind"] = _("Unknown kind of unit.")

    def year(raw, field, required):
        if raw in (None, ""):
            if required:
                errors[field] = _("Give the year.")
            return None
        try:
            value = int(str(raw).strip())
        except ValueError:
            errors[field] = _("Enter the year as four digits, e.g. 2026.")
            return None
        if not 2000 <= value <= 2100:
            errors[field] = _("Give a year between 2000 and 2100.")
        return value

    first, last = year(from_year, "from_year", True), year(to_year, "to_year", False)
    if first is not None and last is not None and last < first and "to_year" not in errors:
        errors["to_year"] = _("The last year cannot be before the first.")
    try:
        days = int(str(due_days).strip())
        if not 0 <= days <= 365:
            raise ValueError
    except ValueError:
        errors["due_days"] = _("Give a number of days between 0 and 365.")
        days = 0
    if errors:
        raise Invalid(errors, _("The assignment is not valid."))
    with transaction.atomic():
        if assignment is None:
            assignment = FormAssignment(form=form)
        assignment.unit_kind, assignment.from_year, assignment.to_year = unit_kind, first, last
        assignment.due_days = days
        assignment.save()
        assignment.units.set(units)
    return assignment
