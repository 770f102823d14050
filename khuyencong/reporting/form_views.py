"""Pages to manage report forms and who sends them (the Agency: ``manage`` nationwide). Thin:
reads here, writes through ``actions.save_report_form`` and ``actions.assign_form``.

* ``/reports/forms/`` the forms with their indicators and assignments;
* ``/reports/forms/new/``, ``/reports/forms/<id>/edit/`` a form and its indicators (kind,
  allowed range, the system figure that pre-fills it);
* ``/reports/forms/<id>/assign/``, ``/reports/forms/<id>/assignments/<a>/`` which units send it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import can, user_scope
from khuyencong.reporting import actions
from khuyencong.reporting.forms import AssignmentForm, IndicatorFormSet, ReportFormForm
from khuyencong.reporting.models import FormAssignment, Report, ReportForm
from khuyencong.reporting.validation import display


def _require_manager(user) -> None:
    if not can(user, actions.MANAGE, Report) or not user_scope(user, actions.MANAGE, Report).everywhere:
        raise PermissionDenied


def _form_or_404(pk) -> ReportForm:
    try:
        return ReportForm.objects.get(pk=pk)
    except ReportForm.DoesNotExist:
        raise Http404 from None


class FormListView(LoginRequiredMixin, View):
    def get(self, request):
        _require_manager(request.user)
        forms = list(
            ReportForm.objects.order_by("code").prefetch_related("indicators", "assignments", "assignments__units")
        )
        return render(request, "reporting/form_list.html", {"report_forms": forms})


def _initial_rows(form: ReportForm | None) -> list[dict]:
    if form is None:
        return []
    return [
        {"code": i.code, "name": i.name, "unit": i.unit, "kind": i.kind, "required": i.required, "source": i.source,
         "min_value": display(i.min_value, i.kind), "max_value": display(i.max_value, i.kind)}
        for i in form.indicators.order_by("position", "pk")
    ]  # fmt: skip


class FormEditView(LoginRequiredMixin, View):
    def _render(self, request, report_form, main, rows, message=""):
        context = {"object": report_form, "main": main, "rows": rows, "message": message}
        return render(request, "reporting/form_edit.html", context, status=422 if message else 200)

    def get(self, request, pk=None):
        _require_manager(request.user)
        report_form = _form_or_404(pk) if pk else None
        initial = {"is_active": True}
        if report_form is not None:
            initial = {name: getattr(report_form, name) for name in actions.FORM_FIELDS}
        return self._render(request, report_form, ReportFormForm(initial=initial),
                            IndicatorFormSet(initial=_initial_rows(report_form), prefix="ind"))  # fmt: skip

    def post(self, request, pk=None):
        _require_manager(request.user)
        report_form = _form_or_404(pk) if pk else None
        main = ReportFormForm(request.POST)
        rows = IndicatorFormSet(request.POST, prefix="ind")
        if not main.is_valid() or not rows.is_valid():
            return self._render(request, report_form, main, rows, _("The form is not valid."))
        filled = [(n, row) for n, row in enumerate(rows.forms) if not row.is_blank]
        inputs = [actions.IndicatorInput(**row.cleaned_data) for _n, row in filled]
        try:
            saved = actions.save_report_form(user=request.user, values=main.cleaned_data, indicators=inputs,
                                             form=report_form)  # fmt: skip
        except ActionRefused as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            for field, text in exc.errors.items():
                parts = field.split(".")
                if parts[0] == "indicators" and len(parts) == 3:
                    filled[int(parts[1])][1].add_error(parts[2], text)
                elif field in main.fields:
                    main.add_error(field, text)
                else:
                    main.add_error(None, text)
            return self._render(request, report_form, main, rows, exc.message)
        messages.success(request, _("The report form was saved."))
        return HttpResponseRedirect(reverse("reporting:form_list") + f"#form-{saved.pk}")


class AssignmentView(LoginRequiredMixin, View):
    def _objects(self, pk, assignment_pk):
        report_form = _form_or_404(pk)
        assignment = None
        if assignment_pk:
            assignment = FormAssignment.objects.filter(form=report_form, pk=assignment_pk).first()
            if assignment is None:
                raise Http404
        return report_form, assignment

    def _render(self, request, report_form, assignment, form, message=""):
        context = {"report_form": report_form, "assignment": assignment, "form": form, "message": message}
        return render(request, "reporting/assignment_edit.html", context, status=422 if message else 200)

    def get(self, request, pk, assignment_pk=None):
        _require_manager(request.user)
        report_form, assignment = self._objects(pk, assignment_pk)
        initial = {}
        if assignment is not None:
            initial = {"unit_kind": assignment.unit_kind, "units": list(assignment.units.all()),
                       "from_year": assignment.from_year, "to_year": assignment.to_year,
                       "due_days": assignment.due_days}  # fmt: skip
        return self._render(request, report_form, assignment, AssignmentForm(initial=initial))

    def post(self, request, pk, assignment_pk=None):
        _require_manager(request.user)
        report_form, assignment = self._objects(pk, assignment_pk)
        form = AssignmentForm(request.POST)
        if not form.is_valid():
            return self._render(request, report_form, assignment, form, _("The assignment is not valid."))
        data = form.cleaned_data
        try:
            actions.assign_form(user=request.user, form=report_form, unit_kind=data["unit_kind"],
                                units=data["units"], from_year=data["from_year"], to_year=data["to_year"],
                                due_days=data["due_days"], assignment=assignment)  # fmt: skip
        except ActionRefused as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            for field, text in exc.errors.items():
                form.add_error(field if field in form.fields else None, text)
            return self._render(request, report_form, assignment, form, exc.message)
        messages.success(request, _("Who sends the form was saved."))
        return HttpResponseRedirect(reverse("reporting:form_list") + f"#form-{report_form.pk}")
