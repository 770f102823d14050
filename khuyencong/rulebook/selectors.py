"""Reading legal documents and rules: every list (page, API, export) comes from here.

Legal texts and the rules resting on them are public law: every signed-in role may read all of
them, nationwide, whatever the reach of the unit it is bound to (a provincial officer must see
the national norms). So reads check the permission (``can``) and do not narrow rows by reach;
writes are scoped by jurisdiction in ``rulebook.actions``. A deliberate exception to
``restrict``, listed in docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from khuyencong.kernel.filters import bind
from khuyencong.kernel.scoping import Action, can
from khuyencong.rulebook.filters import RULE_KINDS, LegalDocumentFilters, RuleFilters
from khuyencong.rulebook.models import RULE_MODELS, ActivityContent, LegalDocument, VersionedRule

RULE_MODEL_BY_KIND: dict[str, type[VersionedRule]] = {
    kind: next(m for m in RULE_MODELS if m._meta.model_name == name) for kind, name in RULE_KINDS.items()
}
KIND_OF_MODEL = {model: kind for kind, model in RULE_MODEL_BY_KIND.items()}


def legal_documents() -> QuerySet:
    return LegalDocument.objects.select_related("province", "replaces")


def legal_document_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """The legal documents, searched (without accents), filtered and sorted; none without the permission."""
    spec = bind(LegalDocumentFilters, filters, user=user)
    rows = legal_documents()
    if not can(user, action, LegalDocument):
        return rows.none()
    return spec.apply(rows)


def rules(kind: str) -> QuerySet:
    model = RULE_MODEL_BY_KIND[kind]
    rows = model.objects.select_related("legal_document", "province", "supersedes")
    if hasattr(model, "contents"):
        rows = rows.prefetch_related("contents")
    return rows


def rule_kind(spec) -> str:
    kind = spec.cleaned_data.get("kind") if spec.is_bound and spec.is_valid() else None
    if not kind and spec.is_bound:
        kind = spec.data.get("kind") if spec.data.get("kind") in RULE_KINDS else None
    return kind or "norm"


def rule_list(*, user, action: str = Action.VIEW, filters=None) -> QuerySet:
    """Versions of one kind of rule (``kind``, norms by default), filtered: ``on`` keeps those in
    force that day, ``content`` those listing it (or no content), ``jurisdiction`` national or a
    province's local rules (its legacy units included)."""
    spec = bind(RuleFilters, filters, user=user)
    kind = rule_kind(spec)
    rows = rules(kind)
    if not can(user, action, RULE_MODEL_BY_KIND[kind]):
        return rows.none()
    return spec.apply(rows)


def contents_in_force(on: dt.date) -> list[ActivityContent]:
    return list(ActivityContent.in_force_on(on))
