"""The money pages: the allocation list (with the "Allocate" form), the ledger, the queue of
payments to approve, and the project page's request form. Thin adapters over ``selectors``
(reads) and ``actions`` (writes); imports through ``imports`` (the tabular engine)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.finance import actions, imports, selectors
from khuyencong.finance.filters import AllocationFilters, LedgerFilters
from khuyencong.finance.forms import AllocateForm, DecisionForm, RequestPaymentForm
from khuyencong.finance.models import Allocation, EntryKind, LedgerEntry
from khuyencong.kernel.db import QueryTooSlow, statement_timeout
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import Project
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDetailView, ObjectListView
from khuyencong.web.imports import ImportFlow
from khuyencong.web.pagination import CappedPage, capped_page

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportColumn:
    """Duck-types ``web.generic.Column`` for the export: a ``label`` (the import's header) and
    ``value(obj)`` (the cell the import reads back)."""

    label: str
    read: Any

    def value(self, obj):
        value = self.read(obj)
        return None if value == "" else value


class TotalsListView(ObjectListView):
    """A list with its totals under the table: the totals of every row the filters select (all
    pages), which are those of the export."""

    template_name = "finance/list.html"
    partial_template = "finance/_table.html"
    totals = None  # staticmethod(queryset) -> dict

    def get(self, request, *args, **kwargs):
        if not can(request.user, self.action, self.model):
            raise PermissionDenied
        spec = self.get_filters()
        queryset = self.read(user=request.user, action=self.action, filters=spec)
        partial = bool(request.htmx and not request.htmx.boosted)
        too_slow, totals = False, None
        try:
            with statement_timeout(settings.KC_LIST_STATEMENT_TIMEOUT_MS):
                page = capped_page(queryset, request.GET.get("page"), self.page_size, self.count_cap, count=True)
                totals = self.totals(queryset)
        except QueryTooSlow:
            logger.warning("list query stopped by its time limit: %s %s", request.path, request.GET.urlencode())
            page, too_slow = CappedPage([], 1, self.page_size, None, False, False), True
        rows = [(obj, [(col, col.value(obj)) for col in self.columns]) for obj in page.object_list]
        context = {
            "too_slow": too_slow,
            **self.common_context(),
            "columns": self.columns,
            "rows": rows,
            "page": page,
            "filter_form": spec,
            "query": "",
            "sort": request.GET.get("sort", ""),
            "detail_url_name": self.url_name("detail"),
            "totals": totals,
        }
        return render(request, self.partial_template if partial else self.template_name, context)


# --- allocations --------------------------------------------------------------------------------


class AllocationMixin:
    model = Allocation

    def base_queryset(self):
        return selectors.allocations()

    def url_name(self, suffix: str) -> str:
        return f"finance:allocation_{suffix}"


ALLOCATION_COLUMNS = [
    Column("decision_number", gettext_lazy("Decision number"), sort="decision_number", link=True),
    Column("decision_date", gettext_lazy("Decision date"), sort="decision_date", filter="vndate"),
    Column("year", gettext_lazy("Year"), sort="year"),
    Column("get_level_display", gettext_lazy("Level")),
    Column("unit.name", gettext_lazy("Implementing unit")),
    Column("province.short_name", gettext_lazy("Province")),
    Column("get_funding_source_display", gettext_lazy("Funding source")),
    Column("amount", gettext_lazy("Amount (đồng)"), sort="amount", filter="vnd"),
    Column("reason", gettext_lazy("Reason")),
]


def _code(related) -> str | None:
    return related.code if related is not None else None


ALLOCATION_EXPORT = [
    ExportColumn("Năm", lambda a: a.year),
    ExportColumn("Cấp", lambda a: imports.vietnamese("level", a.level)),
    ExportColumn("Mã tỉnh", lambda a: _code(a.province)),
    ExportColumn("Mã đơn vị", lambda a: a.unit.code),
    ExportColumn(imports.UNIT_NAME_HEADER, lambda a: a.unit.name),
    ExportColumn("Nguồn vốn", lambda a: imports.vietnamese("source", a.funding_source)),
    ExportColumn("Số tiền (đồng)", lambda a: a.amount),
    ExportColumn("Số quyết định", lambda a: a.decision_number),
    ExportColumn("Ngày quyết định", lambda a: a.decision_date),
    ExportColumn("Lý do", lambda a: a.reason),
    ExportColumn(imports.KEY_HEADER, lambda a: imports.export_key(a, imports.ALLOCATION_PREFIX)),
]


class AllocationListView(AllocationMixin, TotalsListView):
    columns = ALLOCATION_COLUMNS
    filterset = AllocationFilters
    selector = staticmethod(selectors.allocation_list)
    totals = staticmethod(selectors.allocation_totals)

    def common_context(self):
        user = self.request.user
        may_allocate = can(user, actions.ALLOCATE, Allocation) or can(user, actions.ALLOCATE_LOCAL, Allocation)
        return dict(
            super().common_context(),
            title=_("Budget allocations"),
            add_url=reverse("finance:allocation_add") if may_allocate else None,
            can_add=may_allocate,
            add_label=_("Allocate"),
            import_url=reverse("finance:allocation_import:upload") if may_allocate else None,
            totals_label=_("Net allocated"),
        )


class AllocationExportView(AllocationListView, ObjectExportView):
    """What the list shows, in the import's columns: it imports back unchanged."""

    export_columns = ALLOCATION_EXPORT
    get = ObjectExportView.get  # the file, not the page (TotalsListView.get comes first in the MRO)


class AllocationDetailView(AllocationMixin, ObjectDetailView):
    template_name = "finance/allocation_detail.html"
    fields = [
        Column("plan", gettext_lazy("Annual plan")),
        Column("plan_line", gettext_lazy("Plan line")),
        Column("year", gettext_lazy("Year")),
        Column("get_level_display", gettext_lazy("Level")),
        Column("unit", gettext_lazy("Implementing unit")),
        Column("province", gettext_lazy("Province")),
        Column("get_funding_source_display", gettext_lazy("Funding source")),
        Column("amount", gettext_lazy("Amount (đồng)"), filter="vnd"),
        Column("decision_number", gettext_lazy("Decision number")),
        Column("decision_date", gettext_lazy("Decision date"), filter="vndate"),
        Column("reason", gettext_lazy("Reason")),
        Column("corrects", gettext_lazy("Corrects")),
        Column("created_at", gettext_lazy("Recorded"), filter="vndatetime"),
    ]


class AllocateView(LoginRequiredMixin, View):
    """The "Allocate" form: calls ``actions.allocate``; a refusal is shown at the field at fault."""

    template_name = "finance/allocation_form.html"

    def check(self, user):
        if not (can(user, actions.ALLOCATE, Allocation) or can(user, actions.ALLOCATE_LOCAL, Allocation)):
            raise PermissionDenied

    def render_form(self, form):
        return render(self.request, self.template_name, {"form": form, "list_url": reverse("finance:allocation_list")})

    def get(self, request):
        self.check(request.user)
        return self.render_form(AllocateForm(user=request.user))

    def post(self, request):
        self.check(request.user)
        form = AllocateForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        try:
            allocation = actions.allocate(
                user=request.user, plan=data["plan"], unit=data["unit"], amount=data["amount"],
                decision_number=data["decision_number"], decision_date=data["decision_date"],
                funding_source=data["funding_source"], plan_line=data["plan_line"], reason=data["reason"],
                idempotency_key=data["idempotency_key"] or None,
            )  # fmt: skip
        except ActionRefused as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form)
        messages.success(request, _("Allocated %(amount)s to %(unit)s.") % {
            "amount": _vnd(allocation.amount), "unit": allocation.unit.name})  # fmt: skip
        return HttpResponseRedirect(reverse("finance:allocation_detail", args=[allocation.pk]))


def _vnd(value: int) -> str:
    from khuyencong.kernel.money import format_vnd

    return format_vnd(value)


# --- the ledger ---------------------------------------------------------------------------------


class LedgerMixin:
    model = LedgerEntry

    def base_queryset(self):
        return selectors.ledger_entries()

    def url_name(self, suffix: str) -> str:
        return f"finance:ledger_{suffix}"


class DateLinkColumn(Column):
    """The entry's date as the row's link, written dd/mm/yyyy (a link cell is shown as its value)."""

    def value(self, obj):
        found = super().value(obj)
        return found.strftime("%d/%m/%Y") if found is not None else None


LEDGER_COLUMNS = [
    DateLinkColumn("entry_date", gettext_lazy("Date"), sort="entry_date", link=True),
    Column("project.code", gettext_lazy("Project")),
    Column("get_kind_display", gettext_lazy("Kind"), sort="kind"),
    Column("amount", gettext_lazy("Amount (đồng)"), sort="amount", filter="vnd"),
    Column("beneficiary.establishment.name", gettext_lazy("Beneficiary")),
    Column("document_number", gettext_lazy("Document number")),
    Column("unit.name", gettext_lazy("Implementing unit")),
    Column("get_status_display", gettext_lazy("Status"), sort="status"),
]


def _establishment(entry):
    return entry.beneficiary.establishment if entry.beneficiary_id else None


LEDGER_EXPORT = [
    ExportColumn("Mã đề án", lambda e: e.project.code),
    ExportColumn("Tên đề án", lambda e: e.project.name),
    ExportColumn("Loại", lambda e: imports.vietnamese("kind", e.kind)),
    ExportColumn("Số tiền (đồng)", lambda e: e.amount),
    ExportColumn("Ngày", lambda e: e.entry_date),
    ExportColumn("Mã số thuế người hưởng", lambda e: (_establishment(e).tax_code or "") if _establishment(e) else ""),
    ExportColumn("Người hưởng", lambda e: _establishment(e).name if _establishment(e) else ""),
    ExportColumn("Số chứng từ", lambda e: e.document_number),
    ExportColumn(imports.KEY_HEADER, lambda e: imports.export_key(e, imports.LEDGER_PREFIX)),
    ExportColumn(imports.STATUS_HEADER, imports.status_label),
]


def may_import_ledger(user) -> bool:
    return any(
        can(user, name, LedgerEntry)
        for name in (actions.REQUEST_PAYMENT, actions.APPROVE_PAYMENT, actions.APPROVE_PAYMENT_LOCAL)
    )


class LedgerListView(LedgerMixin, TotalsListView):
    columns = LEDGER_COLUMNS
    filterset = LedgerFilters
    selector = staticmethod(selectors.ledger_list)
    totals = staticmethod(selectors.ledger_totals)

    def common_context(self):
        user = self.request.user
        return dict(
            super().common_context(),
            title=_("Ledger"),
            add_url=None,
            can_add=False,
            import_url=reverse("finance:ledger_import:upload") if may_import_ledger(user) else None,
            queue_url=reverse("finance:ledger_queue") if selectors.approver_levels(user) else None,
            totals_label=_("Total"),
        )


class LedgerExportView(LedgerListView, ObjectExportView):
    export_columns = LEDGER_EXPORT
    get = ObjectExportView.get


class LedgerDetailView(LedgerMixin, ObjectDetailView):
    template_name = "finance/ledger_detail.html"
    fields = [
        Column("project", gettext_lazy("Project")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("amount", gettext_lazy("Amount (đồng)"), filter="vnd"),
        Column("entry_date", gettext_lazy("Date"), filter="vndate"),
        Column("beneficiary.establishment", gettext_lazy("Beneficiary")),
        Column("document_number", gettext_lazy("Document number")),
        Column("contract", gettext_lazy("Contract")),
        Column("unit", gettext_lazy("Implementing unit")),
        Column("province", gettext_lazy("Province")),
        Column("requested_by", gettext_lazy("Recorded by")),
        Column("requested_at", gettext_lazy("Recorded"), filter="vndatetime"),
        Column("decided_by", gettext_lazy("Approved or rejected by")),
        Column("decided_at", gettext_lazy("Approved or rejected"), filter="vndatetime"),
        Column("note", gettext_lazy("Note")),
    ]

    def extra_context(self, obj):
        return {
            "steps": decision_buttons(obj, self.request.user),
            "history": list(obj.transitions.select_related("user").order_by("at", "pk")),
            "project_url": reverse("projects:detail", args=[obj.project_id]),
        }


def decision_buttons(entry, user) -> dict:
    """Which of approve / reject ``user`` may press on ``entry`` now."""
    names = {step.action for step in actions.available_steps(entry, user)}
    return {
        "approve": bool(names & {"approve_payment", "approve_payment_local"}),
        "reject": bool(names & {"reject_payment", "reject_payment_local"}),
    }


class LedgerQueueView(LoginRequiredMixin, View):
    """The payments awaiting this user's approval, oldest first, each with approve / reject."""

    page_size = 50

    def get(self, request):
        if not selectors.approver_levels(request.user):
            raise PermissionDenied
        queryset = selectors.awaiting_approval(request.user)
        page = capped_page(queryset, request.GET.get("page"), self.page_size, 10_000, count=True)
        totals = selectors.ledger_totals(queryset)
        return render(
            request,
            "finance/ledger_queue.html",
            {
                "page": page,
                "rows": list(page.object_list),
                "totals": totals,
                "ledger_url": reverse("finance:ledger_list"),
            },
        )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


class LedgerDecideView(LoginRequiredMixin, View):
    """POST approve / reject of one entry (reject needs a comment), then back to where it came from."""

    http_method_names = ["post"]

    def post(self, request, pk: int, decision: str):
        if decision not in ("approve", "reject"):
            raise Http404
        if not can(request.user, Action.VIEW, LedgerEntry):
            raise PermissionDenied
        entry = restrict(selectors.ledger_entries(), request.user, Action.VIEW).filter(pk=pk).first()
        if entry is None:
            raise Http404
        form = DecisionForm(request.POST)
        form.is_valid()
        comment = (form.cleaned_data.get("comment") or "").strip()
        version = form.cleaned_data.get("version")
        back = _safe_next(request, reverse("finance:ledger_detail", args=[entry.pk]))
        try:
            if decision == "approve":
                actions.approve_payment(user=request.user, entry=entry, comment=comment, version=version)
                messages.success(request, _("Approved: %(amount)s paid on %(project)s.") % {
                    "amount": _vnd(entry.amount), "project": entry.project.code})  # fmt: skip
            else:
                if not comment:
                    raise ActionRefused("comment_required", _("Give the reason for the rejection."), field="comment")
                actions.reject_payment(user=request.user, entry=entry, comment=comment, version=version)
                messages.success(request, _("Rejected the request of %(amount)s on %(project)s.") % {
                    "amount": _vnd(entry.amount), "project": entry.project.code})  # fmt: skip
        except ActionRefused as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            if exc.status == 404:
                raise Http404 from None
            messages.error(request, exc.message)
        return HttpResponseRedirect(back)


# --- the project page's request form -----------------------------------------------------------


class RequestPaymentView(LoginRequiredMixin, View):
    """The project section's "Request an advance / payment" form (HTMX: the section comes back)."""

    def project(self, request, pk: int) -> Project:
        if not can(request.user, actions.REQUEST_PAYMENT, LedgerEntry):
            raise PermissionDenied
        project = (
            restrict(Project.objects.select_related("province", "content"), request.user, Action.VIEW)
            .filter(pk=pk)
            .first()
        )
        if project is None:
            raise Http404
        return project

    def respond(self, request, project, form, *, status: int = 200):
        from khuyencong.finance.sections_project import money_context

        context = money_context(project, request.user, form=form)
        if request.htmx:
            return render(request, "finance/_project_money.html", context, status=status)
        return render(request, "finance/request_form.html", context, status=status)

    def get(self, request, pk: int):
        project = self.project(request, pk)
        return self.respond(request, project, RequestPaymentForm(project=project))

    def post(self, request, pk: int):
        project = self.project(request, pk)
        form = RequestPaymentForm(request.POST, project=project)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.request_payment(
                    user=request.user, project=project, kind=data["kind"], amount=data["amount"],
                    entry_date=data["entry_date"], beneficiary=data["beneficiary"],
                    document_number=data["document_number"], idempotency_key=data["idempotency_key"] or None,
                )  # fmt: skip
            except ActionRefused as exc:
                if exc.status == 403:
                    raise PermissionDenied from None
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Requested %(kind)s of %(amount)s: it awaits approval.") % {
                    "kind": EntryKind(entry.kind).label.lower(), "amount": _vnd(entry.amount)})  # fmt: skip
                if request.htmx:
                    from khuyencong.finance.sections_project import money_context

                    return render(request, "finance/_project_money.html", money_context(project, request.user))
                return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]) + "#project-money")
        return self.respond(request, project, form, status=200)


# --- imports ------------------------------------------------------------------------------------

ALLOCATION_IMPORT = ImportFlow(
    importer=imports.ALLOCATIONS,
    namespace="finance:allocation_import",
    resource="finance.allocation",
    permissions=(actions.ALLOCATE, actions.ALLOCATE_LOCAL),
    title=gettext_lazy("Import allocations"),
    template=lambda user: imports.allocation_template(),
    template_filename="mau-giao-du-toan.xlsx",
    template_audit="finance:allocation_import:template",
    error_stem="giao-du-toan",
    done_url="finance:allocation_list",
    hints=(
        gettext_lazy("One row per allocation decision. The plan is found by its year, level and province; the unit "
                     "by its code or its name. A negative amount reduces an allocation (give the reason)."),
        gettext_lazy("Each row is written once: importing the same file again writes nothing new. An exported list "
                     "imports back unchanged."),
    ),
)  # fmt: skip
LEDGER_IMPORT = ImportFlow(
    importer=imports.LEDGER,
    namespace="finance:ledger_import",
    resource="finance.ledgerentry",
    permissions=(actions.REQUEST_PAYMENT, actions.APPROVE_PAYMENT, actions.APPROVE_PAYMENT_LOCAL),
    title=gettext_lazy("Import ledger entries"),
    template=lambda user: imports.ledger_template(),
    template_filename="mau-so-chi.xlsx",
    template_audit="finance:ledger_import:template",
    error_stem="so-chi",
    done_url="finance:ledger_list",
    hints=(
        gettext_lazy("One row per advance, payment or recovery, by project code. Advances and payments are recorded "
                     "as requests awaiting approval; the caps of the contract, the allocation and the advance rule "
                     "apply to every row."),
        gettext_lazy("Each row is written once (the “Mã yêu cầu” column, or the row's content when it is empty): "
                     "importing the same file again writes nothing new."),
    ),
)  # fmt: skip
