"""The project pages: the project page with the steps the user may take now, the step forms
(HTMX, one per step), the proposal's create/edit form with its beneficiaries, and the pickers.

Thin adapters: reads through ``selectors``/``services``, writes through ``actions`` only. A
project outside the user's reach is a 404; an action their role lacks is a 403; a refusal of the
domain is a message or a field error on the form, never a 500. The list, board and exports are in
``views_list.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.attachments.panel import attachments_panel
from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.kernel.text import fold
from khuyencong.projects import actions, services
from khuyencong.projects.deadlines import due_for
from khuyencong.projects.forms import (
    BeneficiariesForm,
    BeneficiaryFormSet,
    ProjectForm,
    StepForm,
    beneficiary_initial,
    establishment_label,
    plan_lines_for,
)
from khuyencong.projects.models import APPROVED_STATES, EDITABLE_STATES, FINAL_STATES, Project, ProjectState
from khuyencong.projects.selectors import project_history, projects
from khuyencong.registry.selectors import establishments
from khuyencong.rulebook.models import ProjectKind

HISTORY_LENGTH = 20
# Steps that end or turn down a project: their form is a confirmation with a red button.
DESTRUCTIVE = frozenset(
    {"province_reject", "agency_reject", "stop", "stop_local", "cancel", "cancel_local"}
)  # fmt: skip


def _visible(request, pk) -> Project:
    """The project if the user may see it: 403 for a role that sees no project, else 404."""
    if not can(request.user, Action.VIEW, Project):
        raise PermissionDenied
    rows = projects().select_related(
        "legacy_province", "proposing_unit", "commune", "plan_line", "content__legal_document"
    )
    try:
        return restrict(rows, request.user, Action.VIEW).get(pk=pk)
    except (Project.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def _may(user, action: str, project: Project) -> bool:
    return restrict(Project.objects.filter(pk=project.pk), user, action).exists()


def _state_label(value: str) -> str:
    try:
        return str(ProjectState(value).label)
    except ValueError:
        return value


def _step_label(action: str) -> str:
    step = actions.PROJECT_LIFECYCLE.steps.get(action)
    return str(step.label) if step is not None and step.label else action


def _url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


# --- the project page -------------------------------------------------------------------------


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        project = _visible(request, pk)
        user = request.user
        lines = list(
            project.beneficiaries.select_related("establishment__commune", "establishment__province").order_by(
                "position", "pk"
            )
        )
        totals = {
            name: sum(getattr(line, name) for line in lines) for name in ("eligible_cost", "support", "counterpart")
        }
        findings = services.check_project(project)
        timeline = [
            {
                "transition": t,
                "label": _step_label(t.action),
                "from": _state_label(t.from_state),
                "to": _state_label(t.to_state),
                "who": (t.user.get_full_name() or t.user.get_username()) if t.user else t.user_name,
            }
            for t in project_history(project)
        ]
        kind = ContentType.objects.get_for_model(Project)
        changes = list(
            ObjectChange.objects.filter(content_type=kind, object_id=str(project.pk))
            .select_related("content_type", "user")
            .order_by("-time", "-pk")[:HISTORY_LENGTH]
        )
        can_change = _may(user, Action.CHANGE, project)
        steps = _buttons(project, user)
        hints = actions.flow_hints(project, user)
        context = {
            "object": project,
            "project": project,
            "lines": lines,
            "totals": totals,
            "findings": findings,
            "line_findings": {f.line_id for f in findings if f.line_id},
            "norm_date": services.norm_date(project),
            "timeline": timeline,
            "changes": changes,
            "steps": [{"step": step, "danger": step.action in DESTRUCTIVE} for step in steps],
            "flow_hints": hints,
            "can_edit": can_change and project.state in EDITABLE_STATES,
            "can_edit_beneficiaries": can_change
            and (
                project.state in EDITABLE_STATES
                or (project.kind == ProjectKind.GROUP and project.state in APPROVED_STATES)
            ),
            "can_delete": project.state == ProjectState.DRAFT and not timeline and _may(user, Action.DELETE, project),
            "due_items": None if project.state in FINAL_STATES else due_for(project),
            "attachments": attachments_panel(project, user),
        }
        return render(request, "projects/project_detail.html", context)


# --- steps ------------------------------------------------------------------------------------

APPROVALS = ("approve", "approve_local")


def _buttons(project: Project, user) -> list:
    """The steps the user may take now. An approval whose only refusal is that the project is in
    no plan yet is offered too: its form picks the plan line (and so the plan)."""
    steps = actions.available_steps(project, user)
    taken = {step.action for step in steps}
    lifecycle = actions.PROJECT_LIFECYCLE
    for action in APPROVALS:
        step = lifecycle.steps[action]
        if action in taken or project.state not in step.source:
            continue
        refusal = lifecycle.refusal(project, user, action)
        if refusal is not None and refusal.code == "not_in_plan" and plan_lines_for(project).exists():
            steps.append(step)
    return steps


CONFLICT_CODES = frozenset({"state_changed", "stale"})


class StepView(LoginRequiredMixin, View):
    """GET: the form of one step (an HTMX fragment inside the project page, or a page of its own);
    POST: ``take_step``. Success reloads the project page (``HX-Redirect``) with a message."""

    def setup_step(self, request, pk, action):
        project = _visible(request, pk)
        step = actions.PROJECT_LIFECYCLE.steps.get(action)
        if step is None:
            raise Http404
        if not _may(request.user, step.permission, project):
            raise PermissionDenied
        return project, step

    def render_form(self, request, project, step, form, status=200):
        inline = bool(getattr(request, "htmx", False))
        context = {
            "project": project,
            "object": project,
            "step": step,
            "form": form,
            "danger": step.action in DESTRUCTIVE,
            "inline": inline,
            "title": step.label,
            "cancel_url": _url(project),
            "state_label": _state_label(project.state),
        }
        template = "projects/_step_form.html" if inline else "projects/project_step.html"
        return render(request, template, context, status=status)

    def render_reserved(self, request, project, step, held):
        """A step another app's flow takes (``actions.reserve_step``): no form, the refusal and a
        link to the section where it is done; nothing written."""
        inline = bool(getattr(request, "htmx", False))
        context = {"project": project, "object": project, "step": step, "reserved": held, "inline": inline,
                   "title": step.label, "cancel_url": _url(project)}  # fmt: skip
        template = "projects/_step_form.html" if inline else "projects/project_step.html"
        return render(request, template, context, status=409)  # as take_step refuses it

    def get(self, request, pk, action):
        project, step = self.setup_step(request, pk, action)
        held = actions.reservation(step.action)
        if held is not None:
            return self.render_reserved(request, project, step, held)
        return self.render_form(request, project, step, StepForm(step=step, project=project))

    def post(self, request, pk, action):
        project, step = self.setup_step(request, pk, action)
        held = actions.reservation(step.action)
        if held is not None:
            return self.render_reserved(request, project, step, held)
        form = StepForm(request.POST, step=step, project=project)
        if form.is_valid():
            data = form.cleaned_data
            seen = data.get("version")
            try:
                actions.take_step(
                    user=request.user,
                    project=project,
                    action=step.action,
                    comment=data.get("comment") or "",
                    decision_number=data.get("decision_number") or "",
                    decision_date=data.get("decision_date"),
                    on=data.get("on"),
                    approved_support=data.get("approved_support"),
                    plan_line=data.get("plan_line"),
                    version=project.version if seen is None else seen,
                )
            except ActionRefused as exc:
                if exc.code in CONFLICT_CODES or (seen is not None and seen != project.version):
                    form.add_error(
                        None,
                        _(
                            "Someone else changed this project since you opened the form (it is now “%(state)s”). "
                            "Nothing was changed: reload the page and check before you try again."
                        )
                        % {"state": _state_label(project.state)},
                    )
                    form.conflict = True
                else:
                    for field, message in exc.errors.items():
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": step.label or step.action})
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = _url(project)
                    return response
                return HttpResponseRedirect(_url(project))
        return self.render_form(request, project, step, form)


# --- the proposal -----------------------------------------------------------------------------


def _lines_from(formset) -> tuple[list[actions.BeneficiaryInput], list]:
    """The filled rows as inputs, and the form each came from (to put its messages back)."""
    inputs, forms_of = [], []
    for row in formset.forms:
        data = getattr(row, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or row.is_blank():
            continue
        inputs.append(
            actions.BeneficiaryInput(
                establishment=data["establishment"],
                eligible_cost=data.get("eligible_cost") or 0,
                support=data.get("support") or 0,
                counterpart=data.get("counterpart") or 0,
                outputs=data.get("outputs") or "",
                full_line=bool(data.get("full_line")),
            )
        )
        forms_of.append(row)
    return inputs, forms_of


def _put_errors(exc: ActionRefused, form, formset, rows) -> None:
    for key, message in exc.errors.items():
        if key == "lines":
            formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
        elif key.startswith("lines."):
            _lines, index, field = key.split(".", 2)
            row = rows[int(index)] if index.isdigit() and int(index) < len(rows) else None
            if row is not None and field in row.fields:
                row.add_error(field, message)
            else:
                formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
        else:
            form.add_error(key if key in form.fields else None, message)


class ProjectEditView(LoginRequiredMixin, View):
    """Create a proposal (no ``pk``) or change a draft, with its beneficiaries, in one go: the
    project and its lines are saved together or not at all."""

    def project(self) -> Project | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            if not can(self.request.user, Action.ADD, Project):
                raise PermissionDenied
            return None
        if not can(self.request.user, Action.CHANGE, Project):
            raise PermissionDenied  # a role that never changes a project: 403 before any lookup
        project = _visible(self.request, pk)
        if not _may(self.request.user, Action.CHANGE, project):
            raise PermissionDenied
        return project

    def forms(self, project):
        data = self.request.POST or None
        form = ProjectForm(data, user=self.request.user, instance=project)
        initial = beneficiary_initial(project) if project is not None else None
        formset = BeneficiaryFormSet(data, initial=initial, prefix="lines")
        return form, formset

    def render(self, project, form, formset):
        context = {
            "form": form,
            "formset": formset,
            "object": project,
            "project": project,
            "title": _("Edit the proposal") if project else _("New project"),
            "cancel_url": _url(project) if project else reverse("projects:list"),
            "form_id": "project-form",
        }
        return render(self.request, "projects/project_form.html", context)

    def get(self, request, pk=None):
        project = self.project()
        if project is not None and project.state not in EDITABLE_STATES:
            messages.warning(request, _("The proposal can only be changed while it is a draft or returned."))
            return HttpResponseRedirect(_url(project))
        return self.render(project, *self.forms(project))

    def post(self, request, pk=None):
        project = self.project()
        form, formset = self.forms(project)
        if form.is_valid() and formset.is_valid():
            lines, rows = _lines_from(formset)
            seen = form.cleaned_data.get("version")
            try:
                with transaction.atomic():
                    saved = actions.save_project(
                        user=request.user, values=form.values(), instance=project, version=seen
                    )
                    if lines or (project is not None and project.beneficiaries.exists()):
                        actions.save_beneficiaries(user=request.user, project=saved, lines=lines)
            except ActionRefused as exc:
                if exc.code == "stale":
                    form.add_error(None, exc.message)
                else:
                    _put_errors(exc, form, formset, rows)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return HttpResponseRedirect(_url(saved))
        return self.render(project, form, formset)


class BeneficiariesView(LoginRequiredMixin, View):
    """Only the beneficiaries: a draft's, or a group project adding some after approval."""

    def project(self, pk) -> Project:
        if not can(self.request.user, Action.CHANGE, Project):
            raise PermissionDenied
        project = _visible(self.request, pk)
        if not _may(self.request.user, Action.CHANGE, project):
            raise PermissionDenied
        return project

    def render(self, project, form, formset):
        context = {
            "form": form,
            "formset": formset,
            "object": project,
            "project": project,
            "title": _("Beneficiaries"),
            "cancel_url": _url(project),
            "form_id": "beneficiaries-form",
            "late": project.state in APPROVED_STATES,
        }
        return render(self.request, "projects/project_beneficiaries.html", context)

    def get(self, request, pk):
        project = self.project(pk)
        form = BeneficiariesForm(initial={"version": project.version})
        return self.render(project, form, BeneficiaryFormSet(initial=beneficiary_initial(project), prefix="lines"))

    def post(self, request, pk):
        project = self.project(pk)
        form = BeneficiariesForm(request.POST)
        formset = BeneficiaryFormSet(request.POST, initial=beneficiary_initial(project), prefix="lines")
        if form.is_valid() and formset.is_valid():
            lines, rows = _lines_from(formset)
            try:
                actions.save_beneficiaries(
                    user=request.user, project=project, lines=lines, version=form.cleaned_data.get("version")
                )
            except ActionRefused as exc:
                if exc.code == "stale" or exc.code == "wrong_state":
                    form.add_error(None, exc.message)
                else:
                    _put_errors(exc, form, formset, rows)
            else:
                messages.success(request, _("Saved the beneficiaries."))
                return HttpResponseRedirect(_url(project))
        return self.render(project, form, formset)


class DeleteView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, Action.DELETE, Project):
            raise PermissionDenied  # a role that never deletes a project: 403 before any lookup
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        project = _visible(request, pk)
        if not _may(request.user, Action.DELETE, project):
            raise PermissionDenied
        return render(request, "projects/project_delete.html", {"object": project, "project": project})

    def post(self, request, pk):
        project = _visible(request, pk)
        if not _may(request.user, Action.DELETE, project):
            raise PermissionDenied
        try:
            actions.delete_project(user=request.user, project=project)
        except ActionRefused as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            messages.error(request, exc.message)
            return HttpResponseRedirect(_url(project))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": project})
        return HttpResponseRedirect(reverse("projects:list"))


# --- pickers ----------------------------------------------------------------------------------

SUGGESTIONS = 15


class EstablishmentSuggestView(LoginRequiredMixin, View):
    """GET ?q=…: establishments the user may see whose name matches (an HTML fragment)."""

    def get(self, request):
        query = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("_search")), "")
        query = query.strip()[:60]
        found = []
        words = fold(query).split() if "\x00" not in query else []
        if words:
            rows = restrict(establishments(), request.user, Action.VIEW)
            for word in words:  # every word, anywhere in the name, address or commune
                rows = rows.filter(search_text__contains=word)
            found = [(e.pk, establishment_label(e)) for e in rows.order_by("name_key", "pk")[:SUGGESTIONS]]
        context = {"suggestions": found, "query": query, "limit": SUGGESTIONS}
        return render(request, "projects/widgets/_establishment_suggestions.html", context)
