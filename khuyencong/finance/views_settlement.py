"""The acceptance and settlement pages: thin adapters over ``finance.settlement_selectors`` (reads)
and ``finance.acceptance`` / ``finance.settlement`` (writes). The forms open inside the project
page's section through HTMX (or as pages of their own without JavaScript); a success reloads the
project page (``HX-Redirect``) with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.finance import acceptance, settlement
from khuyencong.finance.forms_settlement import AcceptanceForm, StepForm, SubmitForm
from khuyencong.finance.models import Settlement
from khuyencong.finance.settlement_docx import build_dossier
from khuyencong.finance.settlement_filters import SettlementFilters
from khuyencong.finance.settlement_selectors import settlement_history, settlement_list, settlements
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import BeneficiaryLine, Project
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDetailView, ObjectListView

CONFLICT_CODES = frozenset({"state_changed", "stale"})


def _project_url(project) -> str:
    return reverse("projects:detail", args=[project.pk]) + "#project-settlement"


def _visible_project(request, pk) -> Project:
    try:
        return restrict(Project.objects.select_related("province"), request.user, Action.VIEW).get(pk=pk)
    except (Project.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def _done(request, project, text: str) -> HttpResponse:
    messages.success(request, text)
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        # The page itself (a URL differing only by its #fragment would not reload it).
        response["HX-Redirect"] = reverse("projects:detail", args=[project.pk])
        return response
    return HttpResponseRedirect(_project_url(project))


def _refused(form, exc: ActionRefused) -> None:
    if exc.code in CONFLICT_CODES:
        form.add_error(None, _("Someone else changed this settlement meanwhile. Nothing was changed: reload the "
                               "project and check before you try again."))  # fmt: skip
        form.conflict = True
        return
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


class _FormView(LoginRequiredMixin, View):
    title = ""
    button = ""
    danger = False

    def render_form(self, request, project, form, action_url, *, title=None, button=None, extra=None):
        inline = bool(getattr(request, "htmx", False))
        context = {
            "project": project,
            "form": form,
            "inline": inline,
            "title": title or self.title,
            "button": button or self.button or title or self.title,
            "danger": self.danger,
            "action_url": action_url,
            "cancel_url": _project_url(project),
            **(extra or {}),
        }
        template = "finance/_settlement_form.html" if inline else "finance/settlement_form_page.html"
        return render(request, template, context)


class AcceptLineView(_FormView):
    """Record the acceptance of one beneficiary line."""

    title = gettext_lazy("Record the acceptance at the facility")

    def setup_line(self, request, pk):
        try:
            line = BeneficiaryLine.objects.select_related("establishment").get(pk=pk)
        except (BeneficiaryLine.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None
        project = _visible_project(request, line.project_id)
        if not acceptance.may_accept(request.user, project):
            raise PermissionDenied
        return line, project

    def _render(self, request, line, project, form):
        return self.render_form(
            request, project, form, reverse("settlements:accept_line", args=[line.pk]),
            extra={"line": line, "subtitle": line.establishment.name, "target": line.outputs},
        )  # fmt: skip

    def get(self, request, pk):
        line, project = self.setup_line(request, pk)
        form = AcceptanceForm(initial={"passed": "1", "accepted_on": timezone.localdate()})
        return self._render(request, line, project, form)

    def post(self, request, pk):
        line, project = self.setup_line(request, pk)
        form = AcceptanceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                acceptance.record_acceptance(
                    user=request.user, line=line, passed=data["passed"], achieved=data["achieved_outputs"],
                    accepted_on=data["accepted_on"], record_number=data["record_number"],
                    achieved_quantity=data.get("achieved_quantity"), note=data.get("note") or "",
                )  # fmt: skip
            except ActionRefused as exc:
                _refused(form, exc)
            else:
                return _done(request, project, _("The acceptance of %(name)s was recorded.")
                             % {"name": line.establishment.name})  # fmt: skip
        return self._render(request, line, project, form)


class SubmitDossierView(_FormView):
    """Send the settlement dossier (or send it again after it was returned)."""

    title = gettext_lazy("Send the settlement dossier")

    def _project(self, request, pk):
        project = _visible_project(request, pk)
        if not can(request.user, settlement.SUBMIT, Settlement):
            raise PermissionDenied
        return project

    def _render(self, request, project, form):
        return self.render_form(request, project, form, reverse("settlements:submit", args=[project.pk]),
                                extra={"disbursed": settlement.disbursed_of(project)})  # fmt: skip

    def get(self, request, pk):
        project = self._project(request, pk)
        return self._render(request, project, SubmitForm(initial={"submitted_on": timezone.localdate()}))

    def post(self, request, pk):
        project = self._project(request, pk)
        form = SubmitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                settlement.submit_settlement_dossier(
                    user=request.user, project=project, submitted_on=data.get("submitted_on"),
                    proposed_amount=data.get("proposed_amount"), note=data.get("note") or "",
                    version=data.get("version"),
                )  # fmt: skip
            except ActionRefused as exc:
                _refused(form, exc)
            else:
                return _done(request, project, _("The settlement dossier was sent."))
        return self._render(request, project, form)


class SettlementStepView(_FormView):
    """Check, approve or return a settlement (one step of ``SETTLEMENT_LIFECYCLE``)."""

    def setup_step(self, request, pk, action):
        try:
            found = restrict(settlements(), request.user, Action.VIEW).get(pk=pk)
        except (Settlement.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None
        step = settlement.SETTLEMENT_LIFECYCLE.steps.get(action)
        if step is None or action in ("resubmit", "settle_from_acceptance"):
            raise Http404
        if not can(request.user, step.permission, Settlement):
            raise PermissionDenied
        return found, step

    def _render(self, request, found, step, form):
        self.danger = step.action.startswith("return")
        return self.render_form(
            request, found.project, form, reverse("settlements:step", args=[found.pk, step.action]),
            title=step.label, extra={"settlement": found, "disbursed": settlement.disbursed_of(found.project),
                                     "step": step},
        )  # fmt: skip

    def get(self, request, pk, action):
        found, step = self.setup_step(request, pk, action)
        initial = {"version": found.version, "checked_on": timezone.localdate(), "decision_date": timezone.localdate(),
                   "settled_amount": found.proposed_amount}  # fmt: skip
        return self._render(request, found, step, StepForm(action=step.action, initial=initial))

    def post(self, request, pk, action):
        found, step = self.setup_step(request, pk, action)
        form = StepForm(request.POST, action=step.action)
        if form.is_valid():
            data = form.cleaned_data
            version = data.get("version")
            try:
                if step.action == "check":
                    settlement.check_settlement(user=request.user, settlement=found, comment=data.get("comment") or "",
                                                checked_on=data.get("checked_on"), version=version)  # fmt: skip
                elif step.action in settlement.APPROVE_STEPS:
                    settlement.approve_settlement(
                        user=request.user, settlement=found, settled_amount=data["settled_amount"],
                        decision_number=data["decision_number"], decision_date=data["decision_date"],
                        comment=data.get("comment") or "", version=version,
                    )  # fmt: skip
                else:
                    settlement.return_settlement(user=request.user, settlement=found, comment=data.get("comment") or "",
                                                 version=version)  # fmt: skip
            except ActionRefused as exc:
                _refused(form, exc)
            else:
                return _done(request, found.project, _("Done: %(step)s.") % {"step": step.label})
        return self._render(request, found, step, form)


class FromAcceptanceView(_FormView):
    """The Agency settles a late national project from its acceptance records."""

    title = gettext_lazy("Settle from the acceptance records")

    def _project(self, request, pk):
        project = _visible_project(request, pk)
        if not can(request.user, settlement.FROM_ACCEPTANCE, Settlement):
            raise PermissionDenied
        return project

    def _render(self, request, project, form):
        amount, disbursed = settlement.amount_from_acceptance(project)
        return self.render_form(request, project, form, reverse("settlements:from_acceptance", args=[project.pk]),
                                extra={"disbursed": disbursed, "from_acceptance_amount": amount})  # fmt: skip

    def get(self, request, pk):
        project = self._project(request, pk)
        return self._render(request, project, StepForm(action="settle_from_acceptance",
                                                       initial={"decision_date": timezone.localdate()}))  # fmt: skip

    def post(self, request, pk):
        project = self._project(request, pk)
        form = StepForm(request.POST, action="settle_from_acceptance")
        if form.is_valid():
            data = form.cleaned_data
            try:
                settlement.settle_from_acceptance(
                    user=request.user, project=project, decision_number=data["decision_number"],
                    decision_date=data["decision_date"], comment=data.get("comment") or "",
                )  # fmt: skip
            except ActionRefused as exc:
                _refused(form, exc)
            else:
                return _done(request, project, _("The project was settled from its acceptance records."))
        return self._render(request, project, form)


class DossierView(LoginRequiredMixin, View):
    """The settlement dossier as a Word document (logged as a download)."""

    def get(self, request, pk):
        if not can(request.user, Action.VIEW, Settlement):
            raise PermissionDenied
        project = _visible_project(request, pk)
        content = build_dossier(project)
        log_access(request.user, "download", f"finance.settlement:dossier:{project.code}", {"project": project.pk})
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        name = f"quyet-toan-{slugify(project.code) or project.pk}.docx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- the list ------------------------------------------------------------------------------------


class SettlementMixin:
    model = Settlement

    def base_queryset(self):
        return settlements()

    def url_name(self, suffix: str) -> str:
        return f"settlements:settlement_{suffix}"


COLUMNS = [
    Column("project.code", gettext_lazy("Project"), link=True),
    Column("project.name", gettext_lazy("Project name")),
    Column("year", gettext_lazy("Plan year"), sort="year"),
    Column("province.short_name", gettext_lazy("Province")),
    Column("get_state_display", gettext_lazy("State")),
    Column("submitted_on", gettext_lazy("Dossier sent on"), sort="submitted_on", filter="vndate"),
    Column("proposed_amount", gettext_lazy("Proposed (đồng)"), filter="vnd"),
    Column("settled_amount", gettext_lazy("Settled (đồng)"), sort="settled_amount", filter="vnd"),
    Column("recover_amount", gettext_lazy("To recover (đồng)"), filter="vnd"),
]


class SettlementListView(SettlementMixin, ObjectListView):
    template_name = "finance/settlement_list.html"
    columns = COLUMNS
    filterset = SettlementFilters
    selector = staticmethod(settlement_list)


class SettlementExportView(SettlementListView, ObjectExportView):
    export_columns = [
        *COLUMNS[:3],
        Column("get_level_display", gettext_lazy("Level")),
        *COLUMNS[3:5],
        Column("unit", gettext_lazy("Implementing unit")),
        *COLUMNS[5:],
        Column("disbursed_amount", gettext_lazy("Disbursed (đồng)")),
        Column("decision_number", gettext_lazy("Decision number")),
        Column("decision_date", gettext_lazy("Decision date"), filter="vndate"),
        Column("by_agency_from_acceptance", gettext_lazy("Settled by the Agency from the acceptance records")),
    ]


class SettlementDetailView(SettlementMixin, ObjectDetailView):
    template_name = "finance/settlement_detail.html"
    fields = [
        Column("project", gettext_lazy("Project")),
        Column("get_state_display", gettext_lazy("State")),
        Column("unit", gettext_lazy("Implementing unit")),
        Column("submitted_on", gettext_lazy("Dossier sent on"), filter="vndate"),
        Column("proposed_amount", gettext_lazy("Proposed (đồng)"), filter="vnd"),
        Column("disbursed_amount", gettext_lazy("Disbursed (đồng)"), filter="vnd"),
        Column("settled_amount", gettext_lazy("Settled (đồng)"), filter="vnd"),
        Column("recover_amount", gettext_lazy("To recover (đồng)"), filter="vnd"),
        Column("decision_number", gettext_lazy("Decision number")),
        Column("decision_date", gettext_lazy("Decision date"), filter="vndate"),
        Column("checked_by", gettext_lazy("Checked by")),
        Column("checked_on", gettext_lazy("Checked on"), filter="vndate"),
        Column("by_agency_from_acceptance", gettext_lazy("Settled by the Agency from the acceptance records")),
    ]

    def extra_context(self, obj):
        return {
            "history": list(settlement_history(obj)),
            "project_url": _project_url(obj.project),
            "dossier_url": reverse("settlements:dossier", args=[obj.project_id]),
        }
