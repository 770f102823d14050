"""The programme and plan pages: thin adapters over ``selectors`` (reads) and ``actions`` (writes)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong import tabular
from khuyencong.attachments.panel import attachments_panel
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
from khuyencong.planning import actions, imports, services
from khuyencong.planning.filters import PlanFilters, ProgrammeFilters
from khuyencong.planning.forms import (
    ApproveForm,
    ChangeForm,
    CommentForm,
    DraftForm,
    LineForm,
    PlanCreateForm,
    PlanEditForm,
    ProgrammeForm,
    TargetFormSet,
)
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion, PlanVersionTransition, Programme
from khuyencong.planning.selectors import plan_list, plans, programme_list, programmes
from khuyencong.rulebook.models import Level
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectListView
from khuyencong.web.imports import UploadForm

# --- programmes -----------------------------------------------------------------------------


class ProgrammeMixin:
    model = Programme

    def base_queryset(self):
        return programmes()


class ProgrammeListView(ProgrammeMixin, ObjectListView):
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("get_level_display", gettext_lazy("Level"), sort="level"),
        Column("period", gettext_lazy("Period"), sort="start_year"),
        Column("decision", gettext_lazy("Approving decision")),
        Column("province", gettext_lazy("Province")),
    ]
    filterset = ProgrammeFilters
    selector = staticmethod(programme_list)


class ProgrammeExportView(ProgrammeListView, ObjectExportView):
    pass


class ProgrammeDetailView(ProgrammeMixin, ObjectDetailView):
    template_name = "planning/programme_detail.html"
    fields = [
        Column("get_level_display", gettext_lazy("Level")),
        Column("period", gettext_lazy("Period")),
        Column("decision", gettext_lazy("Approving decision")),
        Column("owner", gettext_lazy("Managing unit")),
        Column("province", gettext_lazy("Province")),
        Column("summary", gettext_lazy("Summary")),
    ]

    def extra_context(self, obj):
        user = self.request.user
        return {
            "targets": list(obj.targets.select_related("content")),
            "plans": list(restrict(obj.plans.select_related("province"), user, Action.VIEW).order_by("year", "pk")),
            "decision_pending": obj.decision.to_confirm if obj.decision_id else "",
        }


class ProgrammeEditView(LoginRequiredMixin, View):
    """Create a programme (no ``pk``) or change one in reach, with its target indicators."""

    def programme(self) -> Programme | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            if not can(self.request.user, Action.ADD, Programme):
                raise PermissionDenied
            return None
        obj = restrict(programmes(), self.request.user, Action.VIEW).filter(pk=pk).first()
        if obj is None:
            raise Http404
        if not restrict(Programme.objects.filter(pk=pk), self.request.user, Action.CHANGE).exists():
            raise PermissionDenied
        return obj

    def forms(self, obj: Programme | None):
        data = self.request.POST or None
        initial = None
        targets = None
        if obj is not None:
            initial = {name: getattr(obj, name) for name in ("level", "name", "start_year", "end_year", "summary")}
            initial |= {"province": obj.province_id, "owner": obj.owner_id, "decision": obj.decision_id}
            targets = [
                {"name": t.name, "unit": t.unit, "target_value": t.target_value}
                for t in obj.targets.order_by("position")
            ]
        form = ProgrammeForm(data, initial=initial, user=self.request.user)
        formset = TargetFormSet(data, initial=targets, prefix="targets")
        return form, formset

    def render(self, obj, form, formset):
        title = _("Edit the programme") if obj else _("New programme")
        cancel = reverse("planning:programme_detail", args=[obj.pk]) if obj else reverse("planning:programme_list")
        context = {"form": form, "formset": formset, "title": title, "cancel_url": cancel, "object": obj}
        context["form_id"] = "programme-form"
        return render(self.request, "planning/programme_form.html", context)

    def get(self, request, pk=None):
        obj = self.programme()
        return self.render(obj, *self.forms(obj))

    def post(self, request, pk=None):
        obj = self.programme()
        form, formset = self.forms(obj)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            values = dict(data)
            if values["level"] != Level.LOCAL:
                values["province"] = None
            targets = [
                actions.TargetInput(name=row["name"], unit=row["unit"], target_value=row.get("target_value"))
                for row in formset.cleaned_data
                if row and not row.get("DELETE") and (row.get("name") or row.get("unit"))
            ]
            try:
                saved = actions.save_programme(user=request.user, values=values, targets=targets, instance=obj)
            except ActionRefused as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return HttpResponseRedirect(reverse("planning:programme_detail", args=[saved.pk]))
        return self.render(obj, form, formset)


# --- plans ----------------------------------------------------------------------------------


class PlanMixin:
    model = AnnualPlan

    def base_queryset(self):
        return plans()


PLAN_COLUMNS = [
    Column("name", gettext_lazy("Name"), sort="name", link=True),
    Column("year", gettext_lazy("Year"), sort="year"),
    Column("get_level_display", gettext_lazy("Level")),
    Column("province", gettext_lazy("Province"), sort="province__name"),
    Column("declared_total", gettext_lazy("Plan total (đồng)"), sort="declared_total", filter="vnd"),
    Column("get_state_display", gettext_lazy("State"), sort="state"),
]


class PlanListView(PlanMixin, ObjectListView):
    columns = PLAN_COLUMNS
    filterset = PlanFilters
    selector = staticmethod(plan_list)


class PlanExportView(PlanListView, ObjectExportView):
    pass


def _version_of(plan: AnnualPlan, request) -> PlanVersion | None:
    versions = {str(v.sequence): v for v in plan.versions.all()}
    chosen = request.GET.get("version", "")
    if chosen:
        if chosen not in versions:
            raise Http404
        return versions[chosen]
    return max(versions.values(), key=lambda v: v.sequence) if versions else None


class PlanDetailView(PlanMixin, ObjectDetailView):
    template_name = "planning/plan_detail.html"
    fields = [
        Column("get_level_display", gettext_lazy("Level")),
        Column("year", gettext_lazy("Year")),
        Column("province", gettext_lazy("Province")),
        Column("owner", gettext_lazy("Managing unit")),
        Column("programme", gettext_lazy("Programme")),
        Column("declared_total", gettext_lazy("Plan total (đồng)"), filter="vnd"),
        Column("get_state_display", gettext_lazy("State")),
    ]

    def extra_context(self, plan):
        user = self.request.user
        versions = list(plan.versions.select_related("legal_document", "created_by").order_by("sequence"))
        version = _version_of(plan, self.request)
        lines = services.plan_lines(version) if version else []
        rows = services.line_rows(lines)
        diffs = services.diffs_of(versions)
        can_edit = bool(version and version.is_draft and _may(user, Action.CHANGE, plan))
        history = sorted(
            [
                *plan.transitions.select_related("user"),
                *PlanVersionTransition.objects.filter(plan_version__plan=plan).select_related("user"),
            ],
            key=lambda t: (t.at, t.pk),
        )
        return {
            "versions": versions,
            "version": version,
            "rows": rows,
            "line_total": services.line_total(lines),
            "by_source": services.budget_by_source(lines),
            "diff": diffs.get(version.pk) if version else None,
            "diffs": diffs,
            "disrupted": [row for row in rows if row.line.disruption],
            "can_edit_lines": can_edit,
            "can_start_change": plan.state == "open"
            and _may(user, Action.CHANGE, plan)
            and not any(v.is_draft for v in versions),
            "can_approve": bool(version and version.is_draft)
            and actions.VERSION_REVIEW.refusal(version, user, "approve") is None,
            "approve_refusal": actions.VERSION_REVIEW.refusal(version, user, "approve")
            if version and version.is_draft and can(user, "approve", PlanVersion)
            else None,
            "can_close": plan.state == "open" and actions.PLAN_LIFECYCLE.refusal(plan, user, "close") is None,
            "history": history,
            "attachments": attachments_panel(version, user, title=_("Documents – %(label)s") % {"label": version.label})
            if version
            else None,
            "obj_can_delete": actions.plan_in_use(plan) is None and _may(user, Action.DELETE, plan),
            "import_url": reverse("planning:lines_import", args=[plan.pk, version.pk]) if can_edit else None,
            "export_lines_url": reverse("planning:lines_export", args=[plan.pk, version.pk]) if version else None,
        }


def _may(user, action, plan) -> bool:
    return restrict(AnnualPlan.objects.filter(pk=plan.pk), user, action).exists()


class PlanCreateView(LoginRequiredMixin, View):
    def get_form(self):
        return PlanCreateForm(self.request.POST or None, user=self.request.user)

    def render_form(self, form):
        return render(
            self.request,
            "planning/form.html",
            {"form": form, "title": _("New annual plan"), "cancel_url": reverse("planning:annualplan_list")},
        )

    def get(self, request):
        if not can(request.user, Action.ADD, AnnualPlan):
            raise PermissionDenied
        return self.render_form(self.get_form())

    def post(self, request):
        if not can(request.user, Action.ADD, AnnualPlan):
            raise PermissionDenied
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = actions.create_plan(
                    user=request.user,
                    level=data["level"],
                    year=data["year"],
                    name=data["name"],
                    owner=data["owner"],
                    province=data["province"] if data["level"] == Level.LOCAL else None,
                    programme=data["programme"],
                    declared_total=data["declared_total"] or 0,
                    reason=data["reason"],
                )
            except ActionRefused as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": plan})
                return HttpResponseRedirect(reverse("planning:annualplan_detail", args=[plan.pk]))
        return self.render_form(form)


def _form_errors(form, exc: ActionRefused) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


class PlanStepView(PlanMixin, LoginRequiredMixin, View):
    """A page with a form that takes one action on a plan the user can see (or on its version)."""

    title = ""
    form_class = CommentForm
    confirm = ""  # shown above the form: what the action will do
    danger = False

    def plan(self) -> AnnualPlan:
        try:
            return restrict(plans(), self.request.user, Action.VIEW).get(pk=self.kwargs["pk"])
        except (AnnualPlan.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def version(self, plan) -> PlanVersion:
        try:
            return plan.versions.get(pk=self.kwargs["version"])
        except (PlanVersion.DoesNotExist, ValueError, OverflowError, KeyError):
            raise Http404 from None

    def form(self, plan):
        return self.form_class(self.request.POST or None)

    def render_form(self, plan, form):
        context = {
            "form": form,
            "title": self.title,
            "object": plan,
            "confirm": self.get_confirm(plan),
            "danger": self.danger,
            "cancel_url": reverse("planning:annualplan_detail", args=[plan.pk]),
        }
        return render(self.request, "planning/form.html", context)

    def get_confirm(self, plan) -> str:
        return self.confirm

    def perform(self, plan, form):
        raise NotImplementedError

    def done(self, plan, result) -> str:
        return reverse("planning:annualplan_detail", args=[plan.pk])

    needs: tuple = (AnnualPlan, Action.CHANGE)  # a role that never may is refused (403) before any lookup

    def allowed(self, plan) -> bool:
        """Whether the user may take this step on ``plan`` (a 403 before any form is shown)."""
        return _may(self.request.user, Action.CHANGE, plan)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.needs[1], self.needs[0]):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        plan = self.plan()
        if not self.allowed(plan):
            raise PermissionDenied
        return self.render_form(plan, self.form(plan))

    def post(self, request, **kwargs):
        plan = self.plan()
        if not self.allowed(plan):
            raise PermissionDenied
        form = self.form(plan)
        if form.is_valid():
            try:
                result = self.perform(plan, form)
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field:
                    raise PermissionDenied if exc.status == 403 else Http404 from None
                _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(self.done(plan, result))
        return self.render_form(plan, form)


class PlanEditView(PlanStepView):
    title = gettext_lazy("Edit the plan")

    def form(self, plan):
        return PlanEditForm(self.request.POST or None, user=self.request.user, plan=plan)

    def perform(self, plan, form):
        return actions.update_plan(user=self.request.user, plan=plan, values=dict(form.cleaned_data))


class PlanDeleteView(PlanMixin, ObjectDeleteView):
    def refusal(self, obj):
        return actions.plan_in_use(obj)

    def delete(self, obj):
        actions.delete_plan(user=self.request.user, plan=obj)


class StartChangeView(PlanStepView):
    title = gettext_lazy("Adjust or supplement the plan")
    form_class = ChangeForm
    confirm = gettext_lazy(
        "A new draft version starts as a copy of the approved lines. Change its lines, then have it approved "
        "with its decision."
    )

    def perform(self, plan, form):
        data = form.cleaned_data
        return actions.start_change(
            user=self.request.user,
            plan=plan,
            kind=data["kind"],
            reason=data["reason"],
            declared_total=data["declared_total"],
        )

    def done(self, plan, result):
        return reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={result.sequence}"


class ApproveView(PlanStepView):
    title = gettext_lazy("Approve the version")
    form_class = ApproveForm

    needs = (PlanVersion, "approve")

    def allowed(self, plan):
        version = self.version(plan)
        return restrict(PlanVersion.objects.filter(pk=version.pk), self.request.user, "approve").exists()

    def get_confirm(self, plan):
        version = self.version(plan)
        lines = services.plan_lines(version)
        return _(
            "You approve “%(version)s” with %(count)s lines totalling %(total)s. It cannot be changed afterwards."
        ) % {"version": version.label, "count": len(lines), "total": services.format_total(lines)}

    def perform(self, plan, form):
        data = form.cleaned_data
        return actions.approve_version(
            user=self.request.user,
            version=self.version(plan),
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            signer=data["signer"],
            legal_document=data["legal_document"],
            comment=data["comment"],
        )

    def done(self, plan, result):
        return reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={result.sequence}"


class ClosePlanView(PlanStepView):
    title = gettext_lazy("Close the plan")
    confirm = gettext_lazy("A closed plan can no longer be adjusted or supplemented.")
    danger = True

    needs = (AnnualPlan, "close")

    def allowed(self, plan):
        return _may(self.request.user, "close", plan)

    def perform(self, plan, form):
        return actions.close_plan(user=self.request.user, plan=plan, comment=form.cleaned_data["comment"])


class DraftView(PlanStepView):
    title = gettext_lazy("Declared total and reason")

    def form(self, plan):
        version = self.version(plan)
        initial = {"declared_total": version.declared_total, "reason": version.reason}
        return DraftForm(self.request.POST or None, initial=initial)

    def perform(self, plan, form):
        data = form.cleaned_data
        return actions.update_draft(
            user=self.request.user,
            version=self.version(plan),
            declared_total=data["declared_total"],
            reason=data["reason"],
        )

    def done(self, plan, result):
        return reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={result.sequence}"


class DeleteDraftView(PlanStepView):
    title = gettext_lazy("Delete the draft")
    confirm = gettext_lazy("The draft version and its lines are deleted; the approved versions stay.")
    danger = True

    def perform(self, plan, form):
        return actions.delete_draft(user=self.request.user, version=self.version(plan))


class LineView(PlanStepView):
    """Add a line to a draft (no ``line`` in the URL) or edit one."""

    title = gettext_lazy("Plan line")

    def line(self, version) -> PlanLine | None:
        if "line" not in self.kwargs:
            return None
        try:
            return version.lines.get(pk=self.kwargs["line"])
        except (PlanLine.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def form(self, plan):
        version = self.version(plan)
        return LineForm(self.request.POST or None, user=self.request.user, version=version, line=self.line(version))

    def perform(self, plan, form):
        version = self.version(plan)
        return actions.save_plan_line(
            user=self.request.user, version=version, values=form.values(), instance=self.line(version)
        )

    def done(self, plan, result):
        return reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={result.plan_version.sequence}"


class LineDeleteView(LineView):
    title = gettext_lazy("Delete the line")
    danger = True

    def form(self, plan):
        return CommentForm(self.request.POST or None)

    def get_confirm(self, plan):
        line = self.line(self.version(plan))
        return _("Delete “%(line)s” and the rows under it?") % {"line": line}

    def perform(self, plan, form):
        line = self.line(self.version(plan))
        actions.delete_plan_line(user=self.request.user, line=line)
        return line


class LocalPlanView(LoginRequiredMixin, View):
    """The province's local plan: the latest one in the user's province, or the local plans list."""

    def get(self, request):
        if not can(request.user, Action.VIEW, AnnualPlan):
            raise PermissionDenied
        reach = user_scope(request.user, Action.VIEW, AnnualPlan)
        local = restrict(AnnualPlan.objects.filter(level=Level.LOCAL), request.user, Action.VIEW)
        if not reach.everywhere and len(reach.province_ids) == 1:
            latest = local.order_by("-year").first()
            if latest is not None:
                return HttpResponseRedirect(reverse("planning:annualplan_detail", args=[latest.pk]))
        return HttpResponseRedirect(reverse("planning:annualplan_list") + "?level=local")


# --- lines to and from Excel ------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LinesExportView(PlanStepView):
    """The lines of a version as the workbook officials keep (the import's columns)."""

    needs = (AnnualPlan, Action.VIEW)

    def allowed(self, plan):
        return True  # seeing the plan is enough to download its lines

    def get(self, request, **kwargs):
        plan = self.plan()
        version = self.version(plan)
        log_access(request.user, "export", "planning.planline", {"plan": plan.pk, "version": version.sequence})
        response = HttpResponse(imports.export_workbook(version), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="ke-hoach-{plan.year}-{plan.pk}-v{version.sequence}.xlsx"'
        )
        return response


class LinesTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        if not can(request.user, Action.CHANGE, AnnualPlan):
            raise PermissionDenied
        response = HttpResponse(imports.template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="mau-ke-hoach.xlsx"'
        return response


class LinesImportView(PlanStepView):
    """Upload a workbook for a draft: a dry run with its report and error workbook, then - when no
    row was rejected - the lines replace the draft's (the file is kept between the two steps)."""

    title = gettext_lazy("Import the lines from Excel")
    SESSION_KEY = "plan_line_imports"

    def _runs(self) -> dict:
        return self.request.session.setdefault(self.SESSION_KEY, {})

    def render_page(self, plan, version, form, report=None, token=""):
        context = {"object": plan, "version": version, "form": form, "report": report, "token": token,
                   "cancel_url": reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={version.sequence}",
                   "title": self.title}  # fmt: skip
        return render(self.request, "planning/import.html", context)

    def get(self, request, **kwargs):
        plan = self.plan()
        if not self.allowed(plan):
            raise PermissionDenied
        version = self.version(plan)
        token = request.GET.get("errors", "")
        run = self._runs().get(token)
        if run and run.get("errors") and run["version"] == version.pk:
            with default_storage.open(run["errors"], "rb") as fh:
                response = HttpResponse(fh.read(), content_type=XLSX)
            response["Content-Disposition"] = 'attachment; filename="ke-hoach-loi.xlsx"'
            return response
        return self.render_page(plan, version, UploadForm())

    def post(self, request, **kwargs):
        plan = self.plan()
        if not self.allowed(plan):
            raise PermissionDenied
        version = self.version(plan)
        token = request.POST.get("token", "")
        run = self._runs().get(token)
        if run and run["version"] == version.pk:
            with default_storage.open(run["path"], "rb") as fh:
                report = tabular.commit(fh, request.user, imports.PlanLineImport(version))
            if report.ok and not report.counts["rejected"]:
                messages.success(request, _("Imported %(count)s lines.") % {"count": report.counts["new"]})
                return HttpResponseRedirect(self.done(plan, version))
            return self.render_page(plan, version, UploadForm(), report)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(plan, version, form)
        upload = form.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        path = default_storage.save(f"imports/plan-lines/{uuid.uuid4().hex}{suffix}", upload)
        with default_storage.open(path, "rb") as fh:
            report = tabular.dry_run(fh, request.user, imports.PlanLineImport(version))
        token = uuid.uuid4().hex
        errors = None
        if report.counts["rejected"] and report.error_workbook:
            errors = default_storage.save(f"imports/plan-lines/{token}-loi.xlsx", ContentFile(report.error_workbook))
        self._runs()[token] = {"path": path, "version": version.pk, "errors": errors}
        request.session.modified = True
        return self.render_page(plan, version, UploadForm(), report, token)

    def done(self, plan, version):
        return reverse("planning:annualplan_detail", args=[plan.pk]) + f"?version={version.sequence}"
