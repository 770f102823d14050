"""Every write a user starts on the registry, named for the business event.

The HTML views, the API and (for its rules) the import call these functions; they only translate
input and output. Each one checks permission and reach, validates, writes in one transaction,
re-checks reach and queues follow-ups after commit. Refusals are :class:`ActionRefused` with a
stable code and a translated message. See docs/adr/0004-actions-and-transitions.md.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from khuyencong.kernel.lifecycle import ActionRefused, Invalid, Lifecycle, Step
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict, user_scope
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, DuplicateDecision, Establishment, IndustryLine
from khuyencong.registry.selectors import UPDATE_OWN, own_establishments
from khuyencong.registry.services import merge_establishments, queue_duplicates
from khuyencong.registry.validation import MAX_ID, compact_tax_code

logger = logging.getLogger(__name__)

# Fields a user may set (the rest are derived or kept by the system).
ESTABLISHMENT_FIELDS = frozenset(
    {
        "name", "legal_form", "tax_code", "registration_number", "external_id", "owner_name", "owner_gender",
        "address", "commune", "legacy_commune", "craft_village", "main_products", "workers_total",
        "workers_women", "workers_ethnic_minority", "annual_revenue", "founding_year", "phone", "email",
        "latitude", "longitude", "status", "women_owned", "ethnic_minority_workers", "disadvantaged_area",
    }
)  # fmt: skip


# --- establishments ---------------------------------------------------------------------------


def _taken_message(clash: Establishment, user, what: str) -> str:
    """Name the record only when the user may see it: elsewhere, saying which record (or even
    which province) holds a tax code would reveal another province's registry."""
    if restrict(Establishment.objects.filter(pk=clash.pk), user, Action.VIEW).exists():
        if what == "tax_code":
            return _("“%(name)s” already has this tax code.") % {"name": clash.name}
        return _("“%(name)s” already has this external id.") % {"name": clash.name}
    if what == "tax_code":
        return _("This tax code is already registered.")
    return _("This external id is already registered.")


def _database_errors(obj: Establishment, user, action: str, industry_line_ids: list[int] | None) -> dict[str, str]:
    """The rules that need the database: reach, links the user may see, keys used elsewhere."""
    errors: dict[str, str] = {}
    reach = user_scope(user, action, Establishment)
    if obj.commune_id and not reach.covers(province_id=obj.commune.province_id):
        errors["commune"] = _("This commune is outside the provinces you manage.")
    if obj.craft_village_id and not restrict(CraftVillage.objects.filter(pk=obj.craft_village_id), user).exists():
        errors["craft_village"] = _("No craft village you can see has this id.")
    for key in ("tax_code", "external_id"):
        value = getattr(obj, key)
        if value:
            clash = Establishment.objects.filter(**{key: value}).exclude(pk=obj.pk).only("pk", "name").first()
            if clash is not None:
                errors[key] = _taken_message(clash, user, key)
    if industry_line_ids is not None:
        ids = set(industry_line_ids)
        valid = all(isinstance(i, int) and 1 <= i <= MAX_ID for i in ids)
        if not valid or IndustryLine.objects.filter(pk__in=ids, valid_to__isnull=True).count() != len(ids):
            errors["industry_lines"] = _("Choose industry lines of the catalogue in force.")
    return errors


def save_establishment(
    *,
    user,
    values: dict[str, Any],
    industry_line_ids: list[int] | None = None,
    instance: Establishment | None = None,
) -> Establishment:
    """Create an establishment (``instance`` None) or change the given fields of ``instance``.

    ``values`` maps model field names to values (related records as instances); fields left out
    keep their value. ``industry_line_ids`` None keeps the lines, a list replaces them. The
    instance is updated in place. Raises :class:`Invalid` (422) with every field message, or
    :class:`ActionRefused` (403 forbidden, 404 not_found, 409 conflict).
    """
    unknown = set(values) - ESTABLISHMENT_FIELDS
    if unknown:
        raise ValueError(f"not establishment fields: {sorted(unknown)}")
    action = Action.CHANGE if instance is not None and instance.pk else Action.ADD
    if not can(user, action, Establishment):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    if instance is not None and action == Action.CHANGE:
        in_reach = Establishment.objects.live().filter(pk=instance.pk)
        if not restrict(in_reach, user, Action.CHANGE).exists():
            raise ActionRefused("not_found", _("Not found."), status=404)
    obj = instance if instance is not None else Establishment()
    errors: dict[str, str] = {}
    values = dict(values)
    if "tax_code" in values:
        try:
            values["tax_code"] = compact_tax_code(values["tax_code"])
        except ValueError as exc:
            errors["tax_code"] = str(exc)
            values.pop("tax_code")
    if "external_id" in values:
        values["external_id"] = (values["external_id"] or "").strip() or None
    for name, value in values.items():
        setattr(obj, name, value)
    if obj.commune_id:
        obj.province_id = obj.commune.province_id
    try:
        # Runs Establishment.clean, which applies registry.validation.establishment_errors.
        derived = [f.name for f in Establishment._meta.concrete_fields if not f.editable]
        obj.full_clean(exclude=[*derived, *errors], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault("" if field == "__all__" else field, messages[0])
    if not errors.get("commune"):
        for field, message in _database_errors(obj, user, action, industry_line_ids).items():
            errors.setdefault(field, message)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if action == Action.ADD:
            obj.created_by = user
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # Another request took the same tax code or id between the check and the save.
            raise ActionRefused(
                "conflict", _("Another record was saved with the same key at the same time; try again.")
            ) from None
        if industry_line_ids is not None:
            obj.industry_lines.set(industry_line_ids)
        try:
            ensure_in_scope(user, action, obj)
        except PermissionDenied:
            raise ActionRefused("out_of_scope", _("You cannot save a record outside your org units."), status=403)
        saved = obj
        transaction.on_commit(lambda: queue_duplicates(saved), robust=True)
    return obj


# --- an establishment's own account -----------------------------------------------------------

# What an establishment keeps up to date itself: contacts, products, workers. The rest (name, tax
# code, place, legal form…) is the province's to change.
OWN_RECORD_FIELDS = frozenset(
    {"phone", "email", "main_products", "workers_total", "workers_women", "workers_ethnic_minority"}
)


def update_own_establishment(*, user, establishment: Establishment, values: dict[str, Any]) -> Establishment:
    """An establishment's own account changes ``values`` (only :data:`OWN_RECORD_FIELDS`) of the
    record linked to its org unit. Raises :class:`ActionRefused` (403 forbidden, 404 not_found for
    any other record) or :class:`Invalid` with the field messages; the change log records it."""
    unknown = set(values) - OWN_RECORD_FIELDS
    if unknown:
        raise ValueError(f"not fields an establishment changes itself: {sorted(unknown)}")
    if not can(user, UPDATE_OWN, Establishment):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)
    with transaction.atomic():
        obj = own_establishments(user, UPDATE_OWN).select_for_update(of=("self",)).filter(pk=establishment.pk).first()
        if obj is None:
            raise ActionRefused("not_found", _("Not found."), status=404)
        for name, value in values.items():
            setattr(obj, name, value)
        errors: dict[str, str] = {}
        try:
            derived = [f.name for f in Establishment._meta.concrete_fields if not f.editable]
            obj.full_clean(exclude=derived, validate_unique=False)
        except ValidationError as exc:
            # Only what this person can correct: a problem in another field is the province's.
            for field, messages in exc.message_dict.items():
                if field in values:
                    errors.setdefault(field, messages[0])
        if errors:
            raise Invalid(errors)
        obj.save()
        if not own_establishments(user, UPDATE_OWN).filter(pk=obj.pk).exists():
            raise ActionRefused("out_of_scope", _("You cannot save a record outside your org units."), status=403)
    establishment.refresh_from_db()
    return obj


def link_account_unit(*, user, establishment: Establishment, org_unit) -> Establishment:
    """Link ``establishment`` to the org unit its own account acts for (``org_unit`` None unlinks).

    The writer must be able to change the record; the unit must be an active establishment unit
    of the record's province, linked to no other record.
    """
    from khuyencong.organisation.models import OrgUnit

    if not restrict(Establishment.objects.live().filter(pk=establishment.pk), user, Action.CHANGE).exists():
        raise ActionRefused("not_found", _("Not found."), status=404)
    if org_unit is not None:
        if org_unit.kind != OrgUnit.Kind.ESTABLISHMENT or not org_unit.is_active:
            raise Invalid({"org_unit": _("Choose an active org unit of the establishment kind.")})
        if org_unit.province_id != establishment.province_id:
            raise Invalid({"org_unit": _("The org unit must be in the establishment's province.")})
        taken = Establishment.objects.filter(org_unit=org_unit).exclude(pk=establishment.pk).first()
        if taken is not None:
            raise Invalid({"org_unit": _("This org unit is already linked to another establishment.")})
    with transaction.atomic():
        establishment.org_unit = org_unit
        establishment.save()
        ensure_in_scope(user, Action.CHANGE, establishment)
    return establishment


# --- craft villages ---------------------------------------------------------------------------


def craft_village_in_use(village: CraftVillage) -> ActionRefused | None:
    """Why the village cannot be deleted now (records still link to it), or None."""
    linked = Establishment.objects.live().filter(craft_village=village).count()
    if not linked:
        return None
    message = ngettext(
        "“%(village)s” cannot be deleted: %(count)d establishment is linked to it. Link it to another village first.",
        "“%(village)s” cannot be deleted: %(count)d establishments are linked to it. "
        "Link them to another village first.",
        linked,
    )
    return ActionRefused("in_use", message % {"village": village, "count": linked})


def delete_craft_village(*, village: CraftVillage, user) -> None:
    """Delete a craft village nobody uses. Records still linked to it make the delete refused:
    unlinking them here would change their eligibility without a trace in their history."""
    if not restrict(CraftVillage.objects.filter(pk=village.pk), user, Action.DELETE).exists():
        raise ActionRefused("not_found", _("Not found."), status=404)
    with transaction.atomic():
        refusal = craft_village_in_use(village)
        if refusal is not None:
            raise refusal
        # Merged-away records keep their old link for history; release it through the logged queryset.
        Establishment.objects.filter(craft_village=village).update(craft_village=None)
        village.delete()


# --- duplicate review -------------------------------------------------------------------------


def _pair_in_reach(candidate: DuplicateCandidate, user) -> ActionRefused | None:
    # A record may move province after the pair was found: both sides must be in reach.
    pair = Establishment.objects.filter(pk__in=[candidate.first_id, candidate.second_id])
    if restrict(pair, user, Action.VIEW).count() != 2:
        return ActionRefused("not_found", _("Not found."), status=404)
    return None


def _pair_changeable(candidate: DuplicateCandidate, user) -> ActionRefused | None:
    pair = Establishment.objects.filter(pk__in=[candidate.first_id, candidate.second_id])
    if restrict(pair, user, Action.CHANGE).count() != 2:
        return ActionRefused("forbidden", _("You may not change both records of this pair."), status=403)
    return None


_OPEN = {DuplicateCandidate.Status.OPEN}
DUPLICATE_REVIEW = Lifecycle(
    DuplicateCandidate,
    record=DuplicateDecision,
    subject_field="candidate",
    steps=[
        Step(
            "merge",
            _OPEN,
            DuplicateCandidate.Status.MERGED,
            checks=(_pair_in_reach, _pair_changeable),
            permission="merge",
            label=gettext_lazy("Merge"),
        ),
        Step(
            "dismiss",
            _OPEN,
            DuplicateCandidate.Status.DISMISSED,
            checks=(_pair_in_reach,),
            permission="dismiss",
            label=gettext_lazy("Not a duplicate"),
        ),
    ],
)


def pairs_in_reach(user, action: str = Action.VIEW):
    """Duplicate pairs the user may see (or ``action``), both records included."""
    if not can(user, action, DuplicateCandidate):
        raise PermissionDenied
    pairs = restrict(
        DuplicateCandidate.objects.select_related(
            "first__commune", "second__commune", "first__province", "second__province"
        ),
        user,
        action,
    )
    if user_scope(user, Action.VIEW, Establishment).everywhere:
        return pairs  # every record is reachable: no semi-join over the whole table
    reachable = restrict(Establishment.objects.all(), user, Action.VIEW).values("pk")
    return pairs.filter(first__in=reachable, second__in=reachable)


def decisions_open_to(user, candidates) -> dict[int, frozenset[str]]:
    """Which decisions ("merge", "dismiss") ``user`` may take on each open pair of ``candidates``
    (pairs already in the user's view reach, as :func:`pairs_in_reach` gives them): the buttons a
    page shows. The named permissions decide, then their reach; when a permission reaches exactly
    as far as viewing does (the usual case) no query is made, otherwise one per permission."""
    open_pairs = [c for c in candidates if c.status == DuplicateCandidate.Status.OPEN]
    result: dict[int, set[str]] = {c.pk: set() for c in open_pairs}
    if not open_pairs:
        return {}
    view = user_scope(user, Action.VIEW, DuplicateCandidate)
    for step in ("merge", "dismiss"):
        scope = user_scope(user, step, DuplicateCandidate)
        if scope.is_empty:
            continue
        allowed = set(result)
        if not (scope.everywhere or scope == view):
            in_reach = restrict(DuplicateCandidate.objects.filter(pk__in=sorted(result)), user, step)
            allowed = set(in_reach.values_list("pk", flat=True))
        if step == "merge":  # both records must be changeable (_pair_changeable)
            change = user_scope(user, Action.CHANGE, Establishment)
            if change.is_empty:
                allowed = set()
            elif not (change.everywhere or change == user_scope(user, Action.VIEW, Establishment)):
                ids = sorted({c.first_id for c in open_pairs} | {c.second_id for c in open_pairs})
                records = restrict(Establishment.objects.filter(pk__in=ids), user, Action.CHANGE)
                ok = set(records.values_list("pk", flat=True))
                allowed = {c.pk for c in open_pairs if c.pk in allowed and {c.first_id, c.second_id} <= ok}
        for pk in allowed:
            result[pk].add(step)
    return {pk: frozenset(steps) for pk, steps in result.items()}


def _reviewed(user) -> dict:
    return {"reviewed_by": user, "reviewed_at": timezone.now()}


def dismiss_duplicate(
    *, candidate: DuplicateCandidate, user, comment: str = "", version: int | None = None
) -> DuplicateCandidate:
    """Record that the two establishments of the pair are different businesses."""
    return DUPLICATE_REVIEW.perform(
        candidate, user, "dismiss", comment=comment, version=version, changes=_reviewed(user)
    )


def merge_duplicate(
    *,
    candidate: DuplicateCandidate,
    keep: Literal["first", "second"],
    user,
    comment: str = "",
    version: int | None = None,
) -> Establishment:
    """Merge the pair into the record ``keep`` names; returns the kept establishment.

    Other open pairs of the merged-away record are closed as merged too, each with its own
    decision row pointing at this one.
    """
    if keep not in ("first", "second"):
        raise ActionRefused(
            "invalid_choice", _("Say which record to keep: the first or the second."), field="keep", status=422
        )
    kept, dropped = (candidate.first, candidate.second) if keep == "first" else (candidate.second, candidate.first)
    data = {"kept": kept.pk, "dropped": dropped.pk}
    with transaction.atomic():
        DUPLICATE_REVIEW.perform(
            candidate, user, "merge", comment=comment, version=version, data=data, changes=_reviewed(user)
        )
        merged = merge_establishments(keep=kept, drop=dropped, user=user)
        others = DuplicateCandidate.objects.filter(
            Q(first=dropped) | Q(second=dropped), status=DuplicateCandidate.Status.OPEN
        )
        for other in others:
            DUPLICATE_REVIEW.perform(
                other, user, "merge", data={**data, "with_pair": candidate.pk}, changes=_reviewed(user), enforce=False
            )
    return merged
