"""The report pages: thin adapters over ``selectors`` (reads) and ``actions`` (writes).

* ``/reports/`` the scoped list (due, missing, returned, to review), its Excel export;
* ``/reports/<id>/`` the report with its pre-filled figures: HTMX save, submit, approve/return,
  the Excel form to download and a filled one to upload (dry run, then write);
* ``/reports/completeness/`` the unit × period matrix with its rates and its Excel export.
"""

from __future__ import annotations

import io
import uuid
from pathlib import PurePath

import xlsxwriter
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong import tabular
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict, user_scope
from khuyencong.kernel.sheets import xlsx_options
from khuyencong.kernel.text import vi_order
from khuyencong.reporting import actions, imports, services
from khuyencong.reporting.filters import ReportFilters
from khuyencong.reporting.forms import CompletenessForm, MaterialiseForm, StepForm
from khuyencong.reporting.models import Report, ReportState
from khuyencong.reporting.selectors import report_history, report_list, report_values, reports
from khuyencong.reporting.validation import display
from khuyencong.territory.models import Province
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectListView
from khuyencong.web.imports import UploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    Column("org_unit.name", gettext_lazy("Reporting unit"), link=True),
    Column("form.code", gettext_lazy("Form")),
    Column("period_label", gettext_lazy("Reporting period"), sort="period_start"),
    Column("due_on", gettext_lazy("Due on"), sort="due_on", filter="vndate"),
    Column("get_state_display", gettext_lazy("State"), sort="state"),
    Column("submitted_on", gettext_lazy("Submitted on"), filter="vndate"),
    Column("province.short_name", gettext_lazy("Province")),
]


class ReportMixin:
    model = Report

    def base_queryset(self):
        return reports()


class ReportListView(ReportMixin, ObjectListView):
    columns = COLUMNS
    filterset = ReportFilters
    selector = staticmethod(report_list)


class ReportExportView(ReportListView, ObjectExportView):
    pass


def _report(user, pk) -> Report:
    if not can(user, Action.VIEW, Report):
        raise PermissionDenied
    try:
        return restrict(reports(), user, Action.VIEW).get(pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _refused(exc: ActionRefused) -> None:
    """A refusal a page shows as a status rather than on a form."""
    if exc.status == 403:
        raise PermissionDenied
    if exc.status == 404:
        raise Http404


def report_context(report: Report, user, *, errors: dict | None = None, posted: dict | None = None) -> dict:
    values = report_values(report)
    editable = report.is_editable and actions.acts_for_unit(user, report) and can(user, "submit", Report)
    rows = []
    for value in values:
        indicator = value.indicator
        code = indicator.code
        given = (posted or {}).get(code, {})
        shown = value.text_value if indicator.is_text else display(value.reported_value, indicator.kind)
        rows.append({
            "value": value,
            "indicator": indicator,
            "system": display(value.system_value, indicator.kind),
            "reported": given.get("value", shown),
            "reason": given.get("reason", value.correction_reason),
            "comment": given.get("comment", value.comment),
            "error": (errors or {}).get(f"values.{code}", ""),
            "differs": value.differs,
        })  # fmt: skip
    steps = actions.available_steps(report, user)
    return {
        "report": report,
        "rows": rows,
        "editable": editable,
        "steps": [s for s in steps if s.action not in ("submit",)],
        "can_submit": editable and any(s.action == "submit" for s in steps),
        "history": _history(report),
        "errors": errors or {},
        "today": timezone.localdate(),
    }


STEP_LABELS = {
    "start": gettext_lazy("Report started"),
    "revise": gettext_lazy("Revised after return"),
    "submit": gettext_lazy("Submitted"),
    "approve": gettext_lazy("Approved"),
    "approve_local": gettext_lazy("Approved"),
    "return": gettext_lazy("Returned"),
    "return_local": gettext_lazy("Returned"),
}


def _history(report: Report) -> list:
    states = dict(ReportState.choices)
    rows = list(report_history(report))
    for row in rows:
        row.label = STEP_LABELS.get(row.action, row.action)
        row.from_label = states.get(row.from_state, row.from_state)
        row.to_label = states.get(row.to_state, row.to_state)
    return rows


def _posted_values(report: Report, data) -> dict:
    out = {}
    for indicator in report.form.indicators.all():
        code = indicator.code
        if f"value-{code}" in data:
            out[code] = {"value": data.get(f"value-{code}", ""), "reason": data.get(f"reason-{code}", ""),
                         "comment": data.get(f"comment-{code}", "")}  # fmt: skip
    return out


class ReportDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        report = _report(request.user, pk)
        return render(request, "reporting/report_detail.html", report_context(report, request.user))


class ReportSaveView(LoginRequiredMixin, View):
    """Save the figures (HTMX: the form comes back in place, with messages per field)."""

    def post(self, request, pk):
        report = _report(request.user, pk)
        posted = _posted_values(report, request.POST)
        version = request.POST.get("version")
        errors, message, failed = {}, "", False
        try:
            report = actions.save_values(user=request.user, report=report, values=posted,
                                         version=int(version) if version and version.isdigit() else None)  # fmt: skip
            if request.POST.get("then") == "submit":
                report = actions.submit_report(user=request.user, report=report)
                message = _("The report was submitted.")
            else:
                message = _("Saved.")
        except ActionRefused as exc:
            _refused(exc)
            errors, message, failed = dict(exc.errors), exc.message, True
            report = _report(request.user, pk)
        context = report_context(report, request.user, errors=errors, posted=posted if errors else None)
        context["save_message"] = message
        context["save_failed"] = failed
        if request.headers.get("HX-Request"):
            return render(request, "reporting/_values.html", context)
        if not failed:
            messages.success(request, message)
            return HttpResponseRedirect(reverse("reporting:report_detail", args=[report.pk]))
        return render(request, "reporting/report_detail.html", context)


class ReportStepView(LoginRequiredMixin, View):
    """Submit, approve or return (the last with its reason)."""

    def post(self, request, pk, action):
        report = _report(request.user, pk)
        if action not in actions.PUBLIC_ACTIONS:
            raise Http404
        step = actions.REPORT_LIFECYCLE.step(actions.step_for(report, action))
        if not can(request.user, step.permission, Report):
            raise PermissionDenied
        form = StepForm(request.POST, needs_comment=step.needs_comment)
        if form.is_valid():
            try:
                actions.take_report_step(user=request.user, report=report, action=action,
                                         comment=form.cleaned_data["comment"],
                                         version=form.cleaned_data.get("version"))  # fmt: skip
            except ActionRefused as exc:
                _refused(exc)
                messages.error(request, exc.message)
            else:
                done = {"submit": _("The report was submitted."), "approve": _("The report was approved."),
                        "return": _("The report was returned to the unit.")}  # fmt: skip
                messages.success(request, done[action])
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(reverse("reporting:report_detail", args=[report.pk]))


class ReportDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        report = _report(request.user, pk)
        log_access(request.user, "export", "reporting.report", {"report": report.pk})
        response = HttpResponse(imports.form_workbook(report), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="bao-cao-{report.form.code}-{report.period_start:%Y-%m}-{report.pk}.xlsx"'
        )
        return response


class ReportUploadView(LoginRequiredMixin, View):
    """A filled form: a dry run with its row errors first, then the figures are written."""

    SESSION_KEY = "report_uploads"

    def _runs(self) -> dict:
        return self.request.session.setdefault(self.SESSION_KEY, {})

    def _check(self, report):
        try:
            actions._writable(self.request.user, report, None)
        except ActionRefused as exc:
            _refused(exc)
            messages.error(self.request, exc.message)
            return False
        return True

    def render_page(self, report, form, result=None, token=""):
        context = {"report": report, "form": form, "result": result, "token": token,
                   "cancel_url": reverse("reporting:report_detail", args=[report.pk])}  # fmt: skip
        return render(self.request, "reporting/upload.html", context)

    def get(self, request, pk):
        report = _report(request.user, pk)
        if not can(request.user, "submit", Report):
            raise PermissionDenied
        token = request.GET.get("errors", "")
        run = self._runs().get(token)
        if run and run.get("errors") and run["report"] == report.pk:
            with default_storage.open(run["errors"], "rb") as fh:
                response = HttpResponse(fh.read(), content_type=XLSX)
            response["Content-Disposition"] = 'attachment; filename="bao-cao-loi.xlsx"'
            return response
        if not self._check(report):
            return HttpResponseRedirect(reverse("reporting:report_detail", args=[report.pk]))
        return self.render_page(report, UploadForm())

    def post(self, request, pk):
        report = _report(request.user, pk)
        if not can(request.user, "submit", Report):
            raise PermissionDenied
        if not self._check(report):
            return HttpResponseRedirect(reverse("reporting:report_detail", args=[report.pk]))
        token = request.POST.get("token", "")
        run = self._runs().get(token)
        if run and run["report"] == report.pk:
            with default_storage.open(run["path"], "rb") as fh:
                result = tabular.commit(fh, request.user, imports.ReportValuesImport(report))
            if result.ok and not result.counts["rejected"]:
                messages.success(request, _("The figures of the file were saved."))
                return HttpResponseRedirect(reverse("reporting:report_detail", args=[report.pk]))
            return self.render_page(report, UploadForm(), result)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(report, form)
        upload = form.cleaned_data["file"]
        path = default_storage.save(f"imports/reports/{uuid.uuid4().hex}{PurePath(upload.name).suffix.lower()}", upload)
        with default_storage.open(path, "rb") as fh:
            result = tabular.dry_run(fh, request.user, imports.ReportValuesImport(report))
        token = uuid.uuid4().hex
        errors = None
        if result.counts["rejected"] and result.error_workbook:
            errors = default_storage.save(f"imports/reports/{token}-loi.xlsx", ContentFile(result.error_workbook))
        self._runs()[token] = {"path": path, "report": report.pk, "errors": errors}
        request.session.modified = True
        return self.render_page(report, UploadForm(), result, token)


# --- completeness ---------------------------------------------------------------------------

STATUS_LABELS = {
    services.ON_TIME: gettext_lazy("On time"),
    services.LATE: gettext_lazy("Late"),
    services.MISSING: gettext_lazy("Not sent"),
    services.RETURNED: gettext_lazy("Returned"),
    services.PENDING: gettext_lazy("Not due yet"),
}


def _matrix(request):
    if not can(request.user, Action.VIEW, Report):
        raise PermissionDenied
    scope = user_scope(request.user, Action.VIEW, Report)
    provinces = scope.limit_provinces(Province.objects.current().order_by(vi_order("short_name")))
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = CompletenessForm(data, provinces=provinces)
    if not form.fields["form"].queryset.exists():
        return form, None
    if "form" not in data:
        data["form"] = form.fields["form"].queryset.first().code
        form = CompletenessForm(data, provinces=provinces)
    if not form.is_valid():
        return form, None
    matrix = services.completeness(form.cleaned_data["form"], form.cleaned_data["year"],
                                   scope=None if scope.everywhere else scope,
                                   province=form.cleaned_data.get("province"),
                                   **form.scope_filters())  # fmt: skip
    return form, matrix


class CompletenessView(LoginRequiredMixin, View):
    def get(self, request):
        form, matrix = _matrix(request)
        context = {"filter_form": form, "matrix": matrix, "labels": STATUS_LABELS,
                   "can_manage": can(request.user, "manage", Report),
                   "can_manage_forms": user_scope(request.user, "manage", Report).everywhere,
                   "can_export": can(request.user, Action.EXPORT, Report)}  # fmt: skip
        return render(request, "reporting/completeness.html", context)


class CompletenessExportView(LoginRequiredMixin, View):
    def get(self, request):
        if not can(request.user, Action.EXPORT, Report):
            raise PermissionDenied
        _form, matrix = _matrix(request)
        if matrix is None:
            raise Http404
        log_access(request.user, "export", "reporting.report",
                   {"completeness": matrix.form.code, "year": matrix.year})  # fmt: skip
        response = HttpResponse(completeness_workbook(matrix), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="tinh-hinh-bao-cao-{matrix.form.code}-{matrix.year}.xlsx"'
        )
        return response


def completeness_workbook(matrix: services.Matrix) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, xlsx_options(in_memory=True))
    sheet = book.add_worksheet("Tình hình báo cáo")
    bold = book.add_format({"bold": True})
    with translation.override("vi"):
        sheet.write(0, 0, f"{matrix.form.name} · {matrix.year}", bold)
        sheet.write_row(2, 0, [_("Province"), _("Reporting unit"), *[p.label for p in matrix.periods]], bold)
        r = 3
        for row in matrix.rows:
            cells = [str(STATUS_LABELS[c.status]) if c else "" for c in row.cells]
            sheet.write_row(r, 0, [row.province.short_name if row.province else "", row.unit.name, *cells])
            r += 1
        r += 1
        for status in services.RATED:
            sheet.write_row(r, 0, [str(STATUS_LABELS[status]), matrix.counts[status], matrix.rate_texts[status]])
            r += 1
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 45)
    sheet.set_column(2, 2 + len(matrix.periods), 14)
    book.close()
    return out.getvalue()


class MaterialiseView(LoginRequiredMixin, View):
    """Lay out the expected reports of a form and year (idempotent)."""

    def post(self, request):
        if not can(request.user, "manage", Report):
            raise PermissionDenied
        form = MaterialiseForm(request.POST)
        if form.is_valid():
            try:
                count = actions.materialise_reports(user=request.user, form=form.cleaned_data["form"],
                                                    year=form.cleaned_data["year"])  # fmt: skip
            except ActionRefused as exc:
                _refused(exc)
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(count)s expected reports were added.") % {"count": count})
            query = f"?form={form.cleaned_data['form'].code}&year={form.cleaned_data['year']}"
            return HttpResponseRedirect(reverse("reporting:completeness") + query)
        messages.error(request, _("Choose a form and a year."))
        return HttpResponseRedirect(reverse("reporting:completeness"))
