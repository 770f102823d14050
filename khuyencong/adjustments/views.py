"""Pages: the adjustments awaiting the user, the propose form, the step form, and the project
page's section (``adjustments_context(project, user)`` + ``adjustments/_project_section.html``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.adjustments import actions
from khuyencong.adjustments.forms import ProposeForm, StepForm
from khuyencong.adjustments.models import Adjustment
from khuyencong.adjustments.selectors import adjustments, adjustments_of, awaiting
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import APPROVED_STATES, Project


def adjustments_context(project: Project, user) -> dict:
    """What the project page's adjustment section needs: the adjustments the user sees, each with
    the steps the user may take, and whether the user may propose one now."""
    rows = list(adjustments_of(project, user=user).prefetch_related("transitions"))
    may_propose = (
        project.state in APPROVED_STATES
        and restrict(Project.objects.filter(pk=project.pk), user, "propose_adjustment").exists()
    )
    return {
        "adjustment_rows": [(row, actions.available_steps(row, user)) for row in rows],
        "adjustment_propose_url": reverse("adjustments:propose", args=[project.pk]) if may_propose else "",
        "adjustment_project": project,
    }


def _back(project: Project) -> str:
    """Where a form returns: the project's adjustments (the project page once it includes the
    section: then point this at ``projects:detail``)."""
    return reverse("adjustments:project", args=[project.pk])


def _form_errors(form, exc: ActionRefused) -> None:
    for field, message in exc.errors.items():
        name = field.removeprefix("changes.")
        form.add_error(name if name in form.fields else None, message)


class AwaitingView(LoginRequiredMixin, View):
    """Open adjustments the user must act on (confirm or approve), then the others they see."""

    def get(self, request):
        if not can(request.user, Action.VIEW, Adjustment):
            raise PermissionDenied
        waiting = list(awaiting(request.user)[:200])
        recent = restrict(adjustments(), request.user, Action.VIEW).exclude(pk__in=[a.pk for a in waiting])[:50]
        return render(request, "adjustments/awaiting.html", {"waiting": waiting, "recent": recent})


class ProjectAdjustmentsView(LoginRequiredMixin, View):
    """A project's adjustments on their own (the section, until the project page includes it)."""

    def get(self, request, pk):
        project = _project(request.user, pk)
        context = {"project": project, **adjustments_context(project, request.user)}
        return render(request, "adjustments/project.html", context)


def _project(user, pk) -> Project:
    try:
        return restrict(Project.objects.select_related("province"), user, Action.VIEW).get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


class ProposeView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "propose_adjustment", Project):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, project, form):
        form.fields["kind"].widget.attrs["hx-get"] = self.request.path
        context = {"form": form, "title": _("Propose an adjustment"), "object": project, "cancel_url": _back(project),
                   "form_id": "adjustment-form"}  # fmt: skip
        template = "adjustments/_form.html" if self.request.headers.get("HX-Request") else "adjustments/form.html"
        return render(self.request, template, context)

    def get(self, request, pk):
        project = _project(request.user, pk)
        initial = {"kind": request.GET.get("kind", "")}
        return self.render_form(project, ProposeForm(project=project, user=request.user, initial=initial))

    def post(self, request, pk):
        project = _project(request.user, pk)
        form = ProposeForm(request.POST, project=project, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.propose_adjustment(user=request.user, project=project, kind=data["kind"], reason=data["reason"],
                                           cause=data["cause"], cause_event=data["cause_event"],
                                           changes=form.changes())  # fmt: skip
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field:
                    raise PermissionDenied if exc.status == 403 else Http404 from None
                _form_errors(form, exc)
            else:
                messages.success(request, _("The adjustment was proposed."))
                return HttpResponseRedirect(_back(project))
        return self.render_form(project, form)


class StepView(LoginRequiredMixin, View):
    def adjustment(self, pk) -> Adjustment:
        try:
            return restrict(adjustments(), self.request.user, Action.VIEW).get(pk=pk)
        except Adjustment.DoesNotExist:
            raise Http404 from None

    def step(self, action):
        try:
            return actions.ADJUSTMENT_LIFECYCLE.step(action)
        except ActionRefused:
            raise Http404 from None

    def render_form(self, adjustment, step, form):
        context = {
            "form": form,
            "title": f"{step.label}: {adjustment.get_kind_display()}",
            "object": adjustment.project,
            "adjustment": adjustment,
            "cancel_url": _back(adjustment.project),
            "form_id": "adjustment-step-form",
            "danger": step.needs_comment,
        }
        template = "adjustments/_form.html" if self.request.headers.get("HX-Request") else "adjustments/form.html"
        return render(self.request, template, context)

    def get(self, request, pk, action):
        adjustment, step = self.adjustment(pk), self.step(action)
        if not can(request.user, step.permission, Adjustment):
            raise PermissionDenied
        return self.render_form(adjustment, step, StepForm(step=step))

    def post(self, request, pk, action):
        adjustment, step = self.adjustment(pk), self.step(action)
        if not can(request.user, step.permission, Adjustment):
            raise PermissionDenied
        form = StepForm(request.POST, step=step)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.take_adjustment_step(user=request.user, adjustment=adjustment, action=action,
                                             comment=data.get("comment", ""),
                                             decision_number=data.get("decision_number", ""),
                                             decision_date=data.get("decision_date"))  # fmt: skip
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field:
                    raise PermissionDenied if exc.status == 403 else Http404 from None
                _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(_back(adjustment.project))
        return self.render_form(adjustment, step, form)
