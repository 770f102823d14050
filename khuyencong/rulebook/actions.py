"""Every write to the rulebook and its legal documents, named for the business event.

Rules are versioned (docs/adr/0006-versioned-rules.md): an administrator adds a new version,
which supersedes the one before it (that one then ends the day before); a version already in
force is never edited or deleted, only superseded; versions of one series never overlap; every
version rests on a legal document. Refusals are coded (``ActionRefused`` / ``Invalid``) and
leave nothing changed. Pages and the API only translate input and call these functions; the
change log records every save (``ChangeLoggedModel``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.scoping import user_scope
from khuyencong.organisation.permissions import WRITE_LOCAL, WRITE_NATIONAL
from khuyencong.rulebook.models import (
    RULE_MODELS,
    ActivityContent,
    DeadlineRule,
    LegalDocument,
    Level,
    VersionedRule,
)
from khuyencong.territory.models import Province

# Fields an administrator sets on a version; the rest (series, supersedes) the action keeps.
COMMON_FIELDS = frozenset(
    {
        *("code", "name", "level", "province", "legal_document", "effective_from", "effective_to"),
        *("unconfirmed", "unconfirmed_note", "note"),
    }
)
RULE_FIELDS: dict[str, frozenset[str]] = {
    "spendingnorm": frozenset(
        {"project_kind", "area", "beneficiary", "percent_cap", "amount_cap", "basis", "line_multiplier"}
    ),
    "advancerule": frozenset({"first_advance_percent", "conditions"}),
    "dossierlist": frozenset({"documents"}),
    "deadlinerule": frozenset(
        {"shape", "month", "day", "year_offset", "event", "offset_days", "due_on", "applies_to_year"}
    ),
}
RULE_TYPES: dict[str, type[VersionedRule]] = {str(model._meta.model_name): model for model in RULE_MODELS}
LEGAL_DOCUMENT_FIELDS = frozenset(
    {"number", "doc_type", "issuing_body", "signer", "issued_on", "effective_from", "expires_on", "field", "title",
     "summary", "file", "province", "replaces", "to_confirm"}
)  # fmt: skip


def today() -> dt.date:
    return timezone.localdate()


# --- who may write where ----------------------------------------------------------------------


def write_action(level: str) -> str:
    """The named action of the role matrix a write at ``level`` needs."""
    return WRITE_LOCAL if level == Level.LOCAL else WRITE_NATIONAL


def may_write(user, model: type, *, level: str, province: Province | None) -> bool:
    """Whether ``user`` may write a national record, or the local record of ``province``."""
    reach = user_scope(user, write_action(level), model)
    if level == Level.LOCAL:
        return province is not None and reach.covers(province_id=province.pk)
    return reach.everywhere


def _ensure_may_write(user, model: type, *, level: str, province: Province | None) -> None:
    if user_scope(user, write_action(level), model).is_empty:
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    if level == Level.LOCAL and province is None:
        return  # the missing province is a field error (validation)
    if not may_write(user, model, level=level, province=province):
        raise ActionRefused(
            "out_of_scope", _("You may only write the local rules of the provinces you manage."), status=403
        )


# --- rule versions ------------------------------------------------------------------------------


def _field_errors(rule: VersionedRule) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        rule.full_clean(exclude=["series", "supersedes"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors["" if name == "__all__" else name] = messages[0]
    errors.pop("legal_document", None)  # its own coded refusal (no_legal_basis)
    if rule.level == Level.LOCAL and rule.province_id is None:
        errors["province"] = _("A local rule needs the province whose People's Council set it.")
    if rule.level == Level.NATIONAL and rule.province_id is not None:
        errors["province"] = _("A national rule has no province.")
    if rule.effective_to is not None and rule.effective_to < rule.effective_from:
        errors["effective_to"] = _("The end date is before the start date.")
    if isinstance(rule, DeadlineRule):
        errors.update(_deadline_errors(rule))
    return errors


def _deadline_errors(rule: DeadlineRule) -> dict[str, str]:
    shape, errors = rule.shape, {}
    needs = _("This shape of deadline needs this value.")
    if shape in (DeadlineRule.Shape.ANNUAL, DeadlineRule.Shape.NEXT_YEAR):
        for name in ("month", "day"):
            if getattr(rule, name) is None:
                errors[name] = needs
        if rule.month and rule.day:
            try:
                dt.date(2024, rule.month, rule.day)  # a leap year: 29/2 is a date
            except ValueError:
                errors["day"] = _("This day does not exist in that month.")
    elif shape == DeadlineRule.Shape.OFFSET:
        if rule.offset_days is None:
            errors["offset_days"] = needs
        if not rule.event:
            errors["event"] = needs
    elif shape == DeadlineRule.Shape.ONE_OFF:
        if rule.due_on is None:
            errors["due_on"] = needs
        if rule.applies_to_year is None:
            errors["applies_to_year"] = needs
    return errors


def _check_legal_basis(rule: VersionedRule) -> None:
    if rule.legal_document_id is None:
        raise ActionRefused(
            "no_legal_basis",
            _("A rule must rest on a legal document: choose the text that sets it."),
            field="legal_document",
            status=422,
        )


def _apply_values(rule: VersionedRule, values: dict[str, Any]) -> None:
    allowed = COMMON_FIELDS | RULE_FIELDS[str(type(rule)._meta.model_name)]
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not fields of {type(rule).__name__}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(rule, name, value)


def _overlap(rule: VersionedRule, others: list[VersionedRule]) -> VersionedRule | None:
    """A version of the series that would overlap ``rule`` even after superseding (one that
    starts on or after it, or, for an edit, that it would run into)."""
    for other in others:
        starts_within = rule.effective_to is None or other.effective_from <= rule.effective_to
        if other.effective_from >= rule.effective_from and starts_within:
            return other
    return None


def _overlap_refusal(other: VersionedRule) -> ActionRefused:
    return ActionRefused(
        "overlapping_version",
        _(
            "Another version of this rule starts on %(date)s, on or after this one: versions of a rule cannot "
            "overlap. Change that version, or start this one after it."
        )
        % {"date": other.effective_from.strftime("%d/%m/%Y")},
        field="effective_from",
    )


def _set_links(rule: VersionedRule, contents: list[ActivityContent] | None, provinces: list[Province] | None) -> None:
    if contents is not None and hasattr(rule, "contents"):
        rule.contents.set(contents)
    if provinces is not None and isinstance(rule, DeadlineRule):
        rule.applies_to_provinces.set(provinces)


def add_rule_version[R: VersionedRule](
    *,
    user,
    rule_type: type[R],
    values: dict[str, Any],
    contents: list[ActivityContent] | None = None,
    provinces: list[Province] | None = None,
) -> R:
    """Add a version of a rule. When its series (same type, jurisdiction, code and, for norms,
    kind, area and beneficiary) already has versions, the new one must start after the latest
    one starts; that one is superseded and ends the day before (even while in force: that is
    superseding, not editing). Refused: ``forbidden`` / ``out_of_scope`` (403), ``no_legal_basis``
    and ``validation_error`` (422), ``overlapping_version`` (409)."""
    rule = rule_type()
    _apply_values(rule, values)
    _ensure_may_write(user, rule_type, level=rule.level, province=rule.province)
    _check_legal_basis(rule)
    errors = _field_errors(rule)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        series = rule.series_key()
        others = list(rule_type.objects.select_for_update().filter(series=series).order_by("effective_from"))
        other = next((o for o in others if o.effective_from >= rule.effective_from), None)
        if other is not None:
            raise _overlap_refusal(other)
        previous = others[-1] if others else None
        if previous is not None:
            if previous.effective_to is None or previous.effective_to >= rule.effective_from:
                previous.effective_to = rule.effective_from - dt.timedelta(days=1)
                previous.save()
            rule.supersedes = previous
        rule.save()
        _set_links(rule, contents, provinces)
    return rule


def refusal_to_change(rule: VersionedRule) -> ActionRefused | None:
    """Why this version cannot be edited or deleted (it is or was in force), or None."""
    if rule.effective_from <= today():
        return ActionRefused(
            "version_in_force",
            _(
                "This version has been in force since %(date)s: it is never edited or deleted. Add a new version "
                "that supersedes it."
            )
            % {"date": rule.effective_from.strftime("%d/%m/%Y")},
        )
    return None


def change_rule_version[R: VersionedRule](
    *,
    user,
    rule: R,
    values: dict[str, Any],
    contents: list[ActivityContent] | None = None,
    provinces: list[Province] | None = None,
) -> R:
    """Correct a version that is not yet in force. The series cannot change (add a version of the
    other rule instead); a new start date moves the end of the version it supersedes. Works on a
    fresh copy read from the database, returned on success (``rule`` is left as it was)."""
    rule = type(rule).objects.get(pk=rule.pk)  # type: ignore[assignment]
    _ensure_may_write(user, type(rule), level=rule.level, province=rule.province)
    refusal = refusal_to_change(rule)
    if refusal is not None:
        raise refusal
    series = rule.series
    _apply_values(rule, values)
    _ensure_may_write(user, type(rule), level=rule.level, province=rule.province)
    _check_legal_basis(rule)
    errors = _field_errors(rule)
    if rule.series_key() != series:
        errors.setdefault("code", _("A new version keeps the rule it belongs to; add a version of the other rule."))
    if rule.effective_from <= today():
        errors.setdefault("effective_from", _("A corrected version must still start after today."))
    if errors:
        raise Invalid(errors)
    model = type(rule)
    with transaction.atomic():
        others = list(model.objects.select_for_update().filter(series=series).exclude(pk=rule.pk))
        previous = rule.supersedes
        later = [o for o in others if previous is None or o.pk != previous.pk]
        clash = _overlap(rule, later)
        if clash is not None or (previous is not None and previous.effective_from >= rule.effective_from):
            raise _overlap_refusal(clash or previous)  # type: ignore[arg-type]
        if previous is not None:
            previous.effective_to = rule.effective_from - dt.timedelta(days=1)
            previous.save()
        rule.save()
        _set_links(rule, contents, provinces)
    return rule


def delete_rule_version(*, user, rule: VersionedRule) -> None:
    """Delete a version not yet in force; the version it superseded gets its end date back."""
    model = type(rule)
    rule = model.objects.get(pk=rule.pk)
    _ensure_may_write(user, model, level=rule.level, province=rule.province)
    refusal = refusal_to_change(rule)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        # (a keyword mapping: django-stubs cannot type a lookup through the abstract base's self-link)
        if model.objects.filter(**{"supersedes": rule.pk}).exists():
            raise ActionRefused("superseded", _("A later version supersedes this one: delete that one first."))
        previous = rule.supersedes
        rule.delete()
        if previous is not None:
            previous.effective_to = rule.effective_to
            previous.save()


# --- legal documents ---------------------------------------------------------------------------


def save_legal_document(
    *,
    user,
    values: dict[str, Any],
    amends: list[LegalDocument] | None = None,
    instance: LegalDocument | None = None,
) -> LegalDocument:
    """Create or change a legal document (with its file). A province's own text is written by
    that province's leadership; national texts by the national administrators."""
    unknown = set(values) - LEGAL_DOCUMENT_FIELDS
    if unknown:
        raise ValueError(f"not legal document fields: {sorted(unknown)}")
    document = instance if instance is not None else LegalDocument()
    if instance is not None:
        level = Level.LOCAL if instance.province_id else Level.NATIONAL
        _ensure_may_write(user, LegalDocument, level=level, province=instance.province)
    for name, value in values.items():
        setattr(document, name, value)
    level = Level.LOCAL if document.province_id else Level.NATIONAL
    _ensure_may_write(user, LegalDocument, level=level, province=document.province)
    errors: dict[str, str] = {}
    try:
        document.full_clean(exclude=["search_text"], validate_unique=True)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors["" if name == "__all__" else name] = messages[0]
    if document.replaces_id is not None and document.pk and document.replaces_id == document.pk:
        errors["replaces"] = _("A document cannot replace itself.")
    if document.effective_from and document.expires_on and document.expires_on < document.effective_from:
        errors["expires_on"] = _("The expiry date is before the effective date.")
    if amends is not None and document.pk and any(d.pk == document.pk for d in amends):
        errors["amends"] = _("A document cannot amend itself.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        document.save()
        if amends is not None:
            document.amends.set(amends)
    return document
