"""/api/v1/legal-documents and /api/v1/rules: read by every signed-in role, written through
``rulebook.actions`` (national texts and rules by national administrators, a province's own by its
leadership)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from khuyencong.api.errors import ApiError
from khuyencong.api.idempotency import idempotent
from khuyencong.api.lists import list_page, query_schema
from khuyencong.kernel.lifecycle import Invalid
from khuyencong.kernel.scoping import Action, can
from khuyencong.rulebook import actions
from khuyencong.rulebook.filters import RULE_KINDS, LegalDocumentFilters, RuleFilters
from khuyencong.rulebook.models import ActivityContent, DeadlineRule, LegalDocument, SpendingNorm, VersionedRule
from khuyencong.rulebook.selectors import KIND_OF_MODEL, RULE_MODEL_BY_KIND, legal_document_list, rule_list, rules
from khuyencong.territory.models import Province

router = Router(tags=["rulebook"])

Kind = Literal["norm", "advance", "dossier", "deadline"]


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- legal documents ------------------------------------------------------------------------------


class LegalDocumentOut(Schema):
    id: int
    number: str
    doc_type: str
    issuing_body: str
    signer: str
    issued_on: dt.date | None
    effective_from: dt.date | None
    expires_on: dt.date | None
    field: str
    title: str
    summary: str
    province_code: str | None
    replaces: str | None = Field(description="Number of the text it replaces.")
    amends: list[str] = Field(description="Numbers of the texts it amends.")
    to_confirm: str
    has_file: bool

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_replaces(obj):
        return obj.replaces.number if obj.replaces_id else None

    @staticmethod
    def resolve_amends(obj):
        return [d.number for d in obj.amends.all()]

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.file)


class LegalDocumentPage(Schema):
    items: list[LegalDocumentOut]
    next_cursor: str | None


class LegalDocumentIn(Schema):
    number: str
    doc_type: LegalDocument.Type
    issuing_body: str
    title: str
    signer: str = ""
    issued_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    field: LegalDocument.Field = LegalDocument.Field.PROGRAMME
    summary: str = ""
    province_code: str | None = Field(None, description="For a province's own text: the province's code.")
    replaces: str | None = Field(None, description="Number of the text it replaces.")
    amends: list[str] | None = Field(None, description="Numbers of the texts it amends (replaces the list).")
    to_confirm: str = ""


class LegalDocumentPatch(Schema):
    number: str | None = None
    doc_type: LegalDocument.Type | None = None
    issuing_body: str | None = None
    title: str | None = None
    signer: str | None = None
    issued_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    field: LegalDocument.Field | None = None
    summary: str | None = None
    province_code: str | None = None
    replaces: str | None = None
    amends: list[str] | None = None
    to_confirm: str | None = None


LegalDocumentQuery = query_schema(LegalDocumentFilters, "LegalDocumentQuery")


def _with_links(rows):
    return rows.prefetch_related("amends")


def _province(code: str | None, errors: dict[str, str], field: str = "province_code") -> Province | None:
    if code in (None, ""):
        return None
    province = Province.objects.current().filter(code=str(code).strip().zfill(2)).first()
    if province is None:
        errors[field] = _("No province in force has the code %(code)s.") % {"code": code}
    return province


def _document(number: str | None, errors: dict[str, str], field: str) -> LegalDocument | None:
    if not number:
        return None
    document = LegalDocument.objects.filter(number=number.strip()).first()
    if document is None:
        errors[field] = _("No legal document has the number %(number)s.") % {"number": number}
    return document


def _document_values(sent: dict[str, Any]) -> tuple[dict[str, Any], list[LegalDocument] | None]:
    values, errors, amends = {}, {}, None
    for name, value in sent.items():
        if name == "province_code":
            values["province"] = _province(value, errors)
        elif name == "replaces":
            values["replaces"] = _document(value, errors, "replaces")
        elif name == "amends":
            amends = [d for number in value or [] if (d := _document(number, errors, "amends"))]
        else:
            values[name] = value.value if hasattr(value, "value") else value
    if errors:
        raise Invalid(errors)
    return values, amends


def _document_out(pk: int) -> LegalDocument:
    return _with_links(LegalDocument.objects.select_related("province", "replaces")).get(pk=pk)


def _may_read(request, model) -> None:
    if not can(request.auth, Action.VIEW, model):
        raise ApiError(403, "forbidden", "You are not allowed to see these records.")


@router.get("/legal-documents", response=LegalDocumentPage, summary="Legal documents")
def list_legal_documents(request, query: Query[LegalDocumentQuery]):  # type: ignore[valid-type]
    """The filters of the legal-documents page (search without accents, type, field, year)."""
    return list_page(request, query, spec_class=LegalDocumentFilters, selector=legal_document_list,
                     model=LegalDocument, order_field="id", prepare=_with_links)  # fmt: skip


@router.get("/legal-documents/{int:pk}", response=LegalDocumentOut, summary="One legal document")
def get_legal_document(request, pk: int):
    _may_read(request, LegalDocument)
    return _document_out(pk)


@router.post(
    "/legal-documents",
    response={201: LegalDocumentOut},
    summary="Add a legal document",
    description="National texts: system administrators and the Agency's leadership; a province's own text "
    "(province_code): that province's leadership. 403 forbidden / out_of_scope, 422 validation_error.",
)
@idempotent
def create_legal_document(request, payload: LegalDocumentIn):
    values, amends = _document_values(payload.dict())
    document = actions.save_legal_document(user=request.auth, values=values, amends=amends)
    return Status(201, _document_out(document.pk))


@router.patch("/legal-documents/{int:pk}", response=LegalDocumentOut, summary="Change a legal document")
def update_legal_document(request, pk: int, payload: LegalDocumentPatch):
    _may_read(request, LegalDocument)
    document = LegalDocument.objects.get(pk=pk)
    values, amends = _document_values(payload.dict(exclude_unset=True))
    actions.save_legal_document(user=request.auth, values=values, amends=amends, instance=document)
    return _document_out(pk)


# --- rules ----------------------------------------------------------------------------------------


class DocumentRef(Schema):
    id: int
    number: str


class RuleOut(Schema):
    id: int
    kind: str
    series: str
    code: str
    name: str
    level: str
    province_code: str | None
    legal_document: DocumentRef
    effective_from: dt.date
    effective_to: dt.date | None
    supersedes_id: int | None
    unconfirmed: bool
    unconfirmed_note: str
    note: str
    contents: list[str] = Field(description="Codes of the activity contents (empty: every content).")
    values: dict[str, Any] = Field(description="The figures of this kind of rule (amounts in đồng).")

    @staticmethod
    def resolve_kind(obj):
        return KIND_OF_MODEL[type(obj)]

    @staticmethod
    def resolve_province_code(obj):
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_contents(obj):
        return [c.code for c in obj.contents.all()] if hasattr(obj, "contents") else []

    @staticmethod
    def resolve_values(obj):
        return rule_values(obj)


def rule_values(rule: VersionedRule) -> dict[str, Any]:
    if isinstance(rule, SpendingNorm):
        return {
            "project_kind": rule.project_kind or None,
            "area": rule.area,
            "beneficiary": rule.beneficiary,
            "percent_cap": _number(rule.percent_cap),
            "amount_cap": rule.amount_cap,
            "basis": rule.basis,
            "line_multiplier": _number(rule.line_multiplier),
            "line_cap": rule.line_cap(),
        }
    if isinstance(rule, DeadlineRule):
        return {
            "shape": rule.shape,
            "month": rule.month,
            "day": rule.day,
            "year_offset": rule.year_offset,
            "event": rule.event or None,
            "offset_days": rule.offset_days,
            "due_on": rule.due_on.isoformat() if rule.due_on else None,
            "applies_to_year": rule.applies_to_year,
            "province_codes": [p.code for p in rule.applies_to_provinces.all()],
        }
    if hasattr(rule, "first_advance_percent"):
        return {
            "first_advance_percent": _number(rule.first_advance_percent),
            "payment_after_acceptance": rule.payment_after_acceptance,
            "conditions": rule.conditions,
        }
    return {"documents": getattr(rule, "documents", [])}


class RulePage(Schema):
    items: list[RuleOut]
    next_cursor: str | None


class RuleIn(Schema):
    kind: Kind
    code: str = Field(description="What the rule is about, the same in every version (e.g. machinery).")
    name: str
    level: Literal["national", "local"] = "national"
    province_code: str | None = Field(None, description="For a local rule: the province whose resolution sets it.")
    legal_document_id: int | None = Field(None, ge=1, le=2**62, description="The legal text it rests on (required).")
    effective_from: dt.date
    effective_to: dt.date | None = None
    unconfirmed: bool = False
    unconfirmed_note: str = ""
    note: str = ""
    content_codes: list[str] | None = Field(None, description="Activity contents (norms, advances, dossiers).")
    province_codes: list[str] | None = Field(None, description="Deadlines of a one-off directive: its provinces.")
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="The figures: norm (percent_cap, amount_cap in đồng, basis, line_multiplier, project_kind, "
        "area, beneficiary), advance (first_advance_percent, conditions), dossier (documents), deadline (shape, "
        "month, day, year_offset, event, offset_days, due_on, applies_to_year).",
    )


RuleQuery = query_schema(RuleFilters, "RuleQuery")


def _rule_out(kind: str, pk: int) -> VersionedRule:
    rows = rules(kind)
    if kind == "deadline":
        rows = rows.prefetch_related("applies_to_provinces")
    return rows.get(pk=pk)


def _model_of(kind: str) -> type[VersionedRule]:
    if kind not in RULE_MODEL_BY_KIND:
        raise ApiError(404, "not_found", "No such kind of rule.")
    return RULE_MODEL_BY_KIND[kind]


@router.get(
    "/rules",
    response=RulePage,
    summary="Rule versions",
    description="One kind at a time (kind: norm, advance, dossier, deadline; norm by default). "
    "on=YYYY-MM-DD keeps the versions in force that day; content (code), jurisdiction (national, or a "
    "province code for its local rules), code, q filter further.",
)
def list_rules(request, query: Query[RuleQuery]):  # type: ignore[valid-type]
    kind = request.GET.get("kind") or "norm"
    model = RULE_MODEL_BY_KIND.get(kind, SpendingNorm)
    return list_page(request, query, spec_class=RuleFilters, selector=rule_list, model=model, order_field="id")


@router.get("/rules/{kind}/{int:pk}", response=RuleOut, summary="One rule version")
def get_rule(request, kind: str, pk: int):
    _may_read(request, _model_of(kind))
    return _rule_out(kind, pk)


def _rule_values(payload: RuleIn, model: type[VersionedRule]) -> tuple[dict, list | None, list | None]:
    errors: dict[str, str] = {}
    own = actions.RULE_FIELDS[str(model._meta.model_name)]
    unknown = sorted(set(payload.values) - own)
    if unknown:
        errors["values"] = _("Not figures of this kind of rule: %(names)s.") % {"names": ", ".join(unknown)}
    values: dict[str, Any] = {name: value for name, value in payload.values.items() if name in own}
    for name in ("due_on",):
        if isinstance(values.get(name), str):
            try:
                values[name] = dt.date.fromisoformat(values[name])
            except ValueError:
                errors[f"values.{name}"] = _("Send the date as YYYY-MM-DD.")
    document = None
    if payload.legal_document_id is not None:
        document = LegalDocument.objects.filter(pk=payload.legal_document_id).first()
        if document is None:
            errors["legal_document_id"] = _("No legal document has this id.")
    values |= {
        "code": payload.code, "name": payload.name, "level": payload.level, "legal_document": document,
        "province": _province(payload.province_code, errors), "effective_from": payload.effective_from,
        "effective_to": payload.effective_to, "unconfirmed": payload.unconfirmed,
        "unconfirmed_note": payload.unconfirmed_note, "note": payload.note,
    }  # fmt: skip
    contents = None
    if payload.content_codes is not None and hasattr(model, "contents"):
        found = {c.code: c for c in ActivityContent.objects.filter(code__in=payload.content_codes)}
        missing = [code for code in payload.content_codes if code not in found]
        if missing:
            errors["content_codes"] = _("Unknown activity contents: %(codes)s.") % {"codes": ", ".join(missing)}
        contents = list(found.values())
    provinces = None
    if payload.province_codes is not None and model is DeadlineRule:
        provinces = [p for code in payload.province_codes if (p := _province(code, errors, "province_codes"))]
    if errors:
        raise Invalid(errors)
    return values, contents, provinces


_API_NAMES = {"legal_document": "legal_document_id", "province": "province_code"}


@router.post(
    "/rules",
    response={201: RuleOut},
    summary="Add a rule version",
    description="A new version supersedes the latest version of the same rule (it then ends the day before). "
    "Refusals: 403 forbidden / out_of_scope, 409 overlapping_version, 422 no_legal_basis or validation_error.",
)
@idempotent
def create_rule(request, payload: RuleIn):
    model = _model_of(payload.kind)
    values, contents, provinces = _rule_values(payload, model)
    try:
        rule = actions.add_rule_version(
            user=request.auth, rule_type=model, values=values, contents=contents, provinces=provinces
        )
    except Invalid as exc:
        renamed = {
            _API_NAMES.get(f, f if f in RuleIn.model_fields else f"values.{f}"): m for f, m in exc.errors.items()
        }
        raise Invalid(renamed) from None
    return Status(201, _rule_out(payload.kind, rule.pk))


@router.delete(
    "/rules/{kind}/{int:pk}",
    response={204: None},
    summary="Delete a rule version not yet in force",
    description="409 version_in_force for a version that is or was in force: add a new version instead.",
)
def delete_rule(request, kind: str, pk: int):
    model = _model_of(kind)
    _may_read(request, model)
    actions.delete_rule_version(user=request.auth, rule=model.objects.get(pk=pk))
    return Status(204, None)


assert set(RULE_KINDS) == set(RULE_MODEL_BY_KIND)
