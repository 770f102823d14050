"""The inspection pages: thin adapters over ``selectors`` (reads) and ``actions`` (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.attachments.panel import attachments_panel
from khuyencong.inspections import actions
from khuyencong.inspections.filters import FollowUpFilters, MissionFilters
from khuyencong.inspections.forms import (
    CloseForm,
    FindingForm,
    FollowUpForm,
    MissionForm,
    PlanForm,
    ReopenForm,
    StepForm,
    VisitForm,
    format_members,
)
from khuyencong.inspections.models import Finding, FollowUp, FollowUpStatus, InspectionMission, MissionState, Visit
from khuyencong.inspections.selectors import (
    findings_of,
    follow_up_list,
    follow_ups,
    mission_history,
    mission_list,
    missions,
    missions_reached,
    visits_of,
)
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectListView


def _refused(exc: ActionRefused):
    """A refusal without a field at fault: 403 or 404 as the action says."""
    if exc.status == 403:
        raise PermissionDenied from None
    if exc.status == 404:
        raise Http404 from None


def _form_errors(form, exc: ActionRefused) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _render_form(request, form, *, title, cancel_url, obj=None, confirm="", danger=False):
    context = {"form": form, "title": title, "object": obj, "cancel_url": cancel_url, "confirm": confirm,
               "danger": danger, "form_id": "inspection-form"}  # fmt: skip
    return render(request, "inspections/form.html", context)


def _version(request, default: int) -> int:
    try:
        return int(request.POST.get("version", default))
    except ValueError:
        return default


# --- missions ------------------------------------------------------------------------------------


class MissionMixin:
    model = InspectionMission

    def base_queryset(self):
        return missions()

    def scoped(self, action=None):
        action = action or self.action
        if not can(self.request.user, action, self.model):
            raise PermissionDenied
        return missions_reached(self.request.user, action)


COLUMNS = [
    Column("name", gettext_lazy("Mission"), sort="name", link=True),
    Column("plan.year", gettext_lazy("Year"), sort="year"),
    Column("plan.get_level_display", gettext_lazy("Level")),
    Column("provinces_label", gettext_lazy("Provinces visited")),
    Column("lead_unit", gettext_lazy("Lead unit")),
    Column("start_date", gettext_lazy("Start date"), sort="start_date", filter="vndate"),
    Column("end_date", gettext_lazy("End date"), filter="vndate"),
    Column("get_state_display", gettext_lazy("State"), sort="state"),
]


class MissionListView(MissionMixin, ObjectListView):
    columns = COLUMNS
    filterset = MissionFilters
    selector = staticmethod(mission_list)


class MissionExportView(MissionListView, ObjectExportView):
    export_columns = [*COLUMNS[:5], Column("plan", gettext_lazy("Inspection plan")), *COLUMNS[5:],
                      Column("purpose", gettext_lazy("Purpose"))]  # fmt: skip


class MissionDetailView(MissionMixin, ObjectDetailView):
    template_name = "inspections/mission_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        manage = obj.is_open and actions.may_manage(user, obj)
        visits = visits_of(obj, user=user)
        findings = findings_of(obj, user=user)
        ups = [up for f in findings for up in f.follow_up_rows]
        return {
            "obj_can_change": manage,
            "obj_can_delete": obj.state == MissionState.DRAFT and actions.may_manage(user, obj, Action.DELETE),
            "can_manage": manage,
            "members": list(obj.members.order_by("position")),
            "visits": visits,
            "findings": findings,
            "follow_up_count": len(ups),
            "open_count": sum(1 for up in ups if up.status == FollowUpStatus.OPEN),
            "overdue_count": sum(1 for up in ups if up.overdue),
            "steps": actions.available_steps(obj, user),
            "history": _labelled(mission_history(obj)),
            "attachments": attachments_panel(obj, user),
            "follow_ups_url": reverse("inspections:followup_list") + f"?mission={obj.pk}",
        }


def _labelled(transitions):
    labels = {name: step.label for name, step in actions.MISSION_LIFECYCLE.steps.items()}
    rows = list(transitions)
    for row in rows:
        row.label = labels.get(row.action, row.action)
    return rows


class MissionDeleteView(MissionMixin, ObjectDeleteView):
    def get_object(self, action=None):
        obj = super().get_object(action)
        if not actions.may_manage(self.request.user, obj, Action.DELETE):
            raise PermissionDenied
        return obj

    def refusal(self, obj):
        if obj.state != MissionState.DRAFT or obj.visits.exists() or obj.findings.exists():
            return ActionRefused("in_use", _("Only a draft mission with no visits or findings can be deleted."))
        return None

    def delete(self, obj):
        actions.delete_mission(user=self.request.user, mission=obj)


class MissionEditView(LoginRequiredMixin, View):
    """``new/`` (a draft mission of a plan the user may add missions to) and ``<pk>/edit/``."""

    def mission(self) -> InspectionMission | None:
        if "pk" not in self.kwargs:
            if not can(self.request.user, Action.ADD, InspectionMission):
                raise PermissionDenied
            return None
        if not can(self.request.user, Action.VIEW, InspectionMission):
            raise PermissionDenied
        try:
            mission = missions_reached(self.request.user).get(pk=self.kwargs["pk"])
        except InspectionMission.DoesNotExist:
            raise Http404 from None
        if not (mission.is_open and actions.may_manage(self.request.user, mission)):
            raise PermissionDenied
        return mission

    def form(self, mission):
        initial = {}
        if mission is not None:
            initial = {name: getattr(mission, name) for name in actions.MISSION_FIELDS}
            initial["provinces"] = list(mission.provinces.all())
            initial["members"] = format_members(mission.members.order_by("position"))
        else:
            plan = self.request.GET.get("plan", "")
            if plan.isdigit():
                initial["plan"] = int(plan)
        return MissionForm(self.request.POST or None, user=self.request.user, instance=mission, initial=initial)

    def render_form(self, mission, form):
        title = _("Edit the mission") if mission else _("New inspection mission")
        cancel = reverse("inspections:inspectionmission_detail", args=[mission.pk]) if mission else reverse(
            "inspections:inspectionmission_list")  # fmt: skip
        return _render_form(self.request, form, title=title, cancel_url=cancel, obj=mission)

    def get(self, request, pk=None):
        mission = self.mission()
        return self.render_form(mission, self.form(mission))

    def post(self, request, pk=None):
        mission = self.mission()
        form = self.form(mission)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_mission(
                    user=request.user, plan=data.get("plan"), instance=mission,
                    values={name: data.get(name) for name in actions.MISSION_FIELDS},
                    provinces=data["provinces"], members=data["members"],
                    version=_version(request, mission.version) if mission else None,
                )  # fmt: skip
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field and exc.code != "validation_error":
                    _refused(exc)
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return HttpResponseRedirect(reverse("inspections:inspectionmission_detail", args=[saved.pk]))
        return self.render_form(mission, form)


class MissionChildView(LoginRequiredMixin, View):
    """A form that records something on a mission the user sees and manages."""

    title = ""

    def mission(self) -> InspectionMission:
        if not can(self.request.user, Action.VIEW, InspectionMission):
            raise PermissionDenied
        try:
            mission = missions_reached(self.request.user).get(pk=self.kwargs["pk"])
        except InspectionMission.DoesNotExist:
            raise Http404 from None
        if not actions.may_manage(self.request.user, mission):
            raise PermissionDenied
        return mission

    def detail(self, mission) -> str:
        return reverse("inspections:inspectionmission_detail", args=[mission.pk])

    def render_form(self, mission, form, **extra):
        return _render_form(self.request, form, title=self.title, cancel_url=self.detail(mission), obj=mission,
                            **extra)  # fmt: skip

    def make_form(self, mission):
        raise NotImplementedError

    def perform(self, mission, data):
        raise NotImplementedError

    def get(self, request, **kwargs):
        mission = self.mission()
        return self.render_form(mission, self.make_form(mission))

    def post(self, request, **kwargs):
        mission = self.mission()
        form = self.make_form(mission)
        if form.is_valid():
            try:
                self.perform(mission, form.cleaned_data)
            except ActionRefused as exc:
                if exc.status in (403, 404) and exc.code != "validation_error":
                    _refused(exc)
                _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(self.detail(mission))
        return self.render_form(mission, form)


class MissionStepView(MissionChildView):
    titles = {
        "start": gettext_lazy("Start the mission"),
        "report": gettext_lazy("Record the mission's report"),
        "close": gettext_lazy("Close the mission"),
    }

    def mission(self):
        if self.kwargs["action"] not in self.titles:
            raise Http404
        mission = super().mission()
        self.title = self.titles[self.kwargs["action"]]
        return mission

    def make_form(self, mission):
        initial = {"decision_date": timezone.localdate()} if self.kwargs["action"] == "report" else {}
        return StepForm(self.request.POST or None, action=self.kwargs["action"], initial=initial)

    def render_form(self, mission, form, **extra):
        confirm = ""
        if self.kwargs["action"] == "close":
            confirm = _("A closed mission records nothing more; its open follow-ups stay open until reported done.")
        return super().render_form(mission, form, confirm=confirm, danger=self.kwargs["action"] == "close")

    def perform(self, mission, data):
        actions.take_mission_step(
            user=self.request.user, mission=mission, action=self.kwargs["action"], comment=data.get("comment", ""),
            decision_number=data.get("decision_number", ""), decision_date=data.get("decision_date"),
            version=_version(self.request, mission.version),
        )  # fmt: skip


class VisitCreateView(MissionChildView):
    title = gettext_lazy("Record a visit")

    def make_form(self, mission):
        initial = {"visited_on": min(timezone.localdate(), mission.end_date)}
        return VisitForm(self.request.POST or None, user=self.request.user, mission=mission, initial=initial)

    def perform(self, mission, data):
        actions.record_visit(user=self.request.user, mission=mission, project=data["project"],
                             visited_on=data["visited_on"], notes=data.get("notes", ""))  # fmt: skip


class VisitRemoveView(MissionChildView):
    title = gettext_lazy("Remove the visit")

    def visit(self, mission) -> Visit:
        try:
            return restrict(Visit.objects.filter(mission=mission), self.request.user, Action.VIEW).select_related(
                "project").get(pk=self.kwargs["visit"])  # fmt: skip
        except Visit.DoesNotExist:
            raise Http404 from None

    def make_form(self, mission):
        from khuyencong.planning.forms import StyledForm

        return StyledForm(self.request.POST if self.request.method == "POST" else None)

    def render_form(self, mission, form, **extra):
        visit = self.visit(mission)
        confirm = _("Remove the visit to %(code)s on %(date)s? This cannot be undone.") % {
            "code": visit.project.code, "date": visit.visited_on.strftime("%d/%m/%Y")}  # fmt: skip
        return super().render_form(mission, form, confirm=confirm, danger=True)

    def perform(self, mission, data):
        actions.remove_visit(user=self.request.user, visit=self.visit(mission))


class FindingCreateView(MissionChildView):
    title = gettext_lazy("Record a finding")

    def make_form(self, mission):
        visits = visits_of(mission, user=self.request.user)
        initial = {"visit": self.request.GET.get("visit") or None}
        return FindingForm(self.request.POST or None, mission=mission, visits=visits, initial=initial)

    def perform(self, mission, data):
        actions.add_finding(user=self.request.user, mission=mission, visit=data.get("visit"),
                            province=data.get("province"), severity=data["severity"], text=data["text"],
                            recorded_on=data.get("recorded_on"))  # fmt: skip


class FollowUpCreateView(MissionChildView):
    title = gettext_lazy("Add a follow-up")

    def finding(self, mission) -> Finding:
        try:
            return restrict(Finding.objects.filter(mission=mission), self.request.user, Action.VIEW).get(
                pk=self.kwargs["finding"])  # fmt: skip
        except Finding.DoesNotExist:
            raise Http404 from None

    def make_form(self, mission):
        return FollowUpForm(self.request.POST or None, finding=self.finding(mission))

    def render_form(self, mission, form, **extra):
        return super().render_form(mission, form, confirm=_("Finding: %(text)s") % {"text": self.finding(mission)})

    def perform(self, mission, data):
        actions.add_follow_up(user=self.request.user, finding=self.finding(mission), action=data["action"],
                              responsible_unit=data["responsible_unit"], due_date=data["due_date"])  # fmt: skip


class PlanCreateView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            actions.may_write_level(user, "national", Action.ADD) or actions.may_write_level(user, "local", Action.ADD)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form):
        return _render_form(self.request, form, title=_("New inspection plan"),
                            cancel_url=reverse("inspections:inspectionmission_list"))  # fmt: skip

    def get(self, request):
        return self.render_form(PlanForm(user=request.user, initial={"year": timezone.localdate().year}))

    def post(self, request):
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                plan = actions.save_plan(user=request.user, values=form.cleaned_data)
            except ActionRefused as exc:
                if exc.status == 403 and not exc.field:
                    raise PermissionDenied from None
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": plan})
                return HttpResponseRedirect(reverse("inspections:inspectionmission_add") + f"?plan={plan.pk}")
        return self.render_form(form)


# --- follow-ups ----------------------------------------------------------------------------------


class FollowUpMixin:
    model = FollowUp

    def base_queryset(self):
        return follow_ups()


FOLLOW_UP_COLUMNS = [
    Column("action", gettext_lazy("What to do"), link=True),
    Column("responsible_unit", gettext_lazy("Responsible unit")),
    Column("due_date", gettext_lazy("Due date"), sort="due_date", filter="vndate"),
    Column("status_label", gettext_lazy("Status"), sort="status"),
    Column("finding.mission", gettext_lazy("Mission")),
    Column("finding.province", gettext_lazy("Province")),
]


class FollowUpListView(FollowUpMixin, ObjectListView):
    columns = FOLLOW_UP_COLUMNS
    filterset = FollowUpFilters
    selector = staticmethod(follow_up_list)


class FollowUpExportView(FollowUpListView, ObjectExportView):
    export_columns = [
        *FOLLOW_UP_COLUMNS[:3],
        Column("get_status_display", gettext_lazy("Status")),
        Column("overdue_label", gettext_lazy("Overdue")),
        *FOLLOW_UP_COLUMNS[4:],
        Column("finding.text", gettext_lazy("Finding")),
        Column("closed_on", gettext_lazy("Done on"), filter="vndate"),
        Column("closing_note", gettext_lazy("What was done")),
    ]


class FollowUpDetailView(FollowUpMixin, ObjectDetailView):
    template_name = "inspections/followup_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        mission = obj.finding.mission
        return {
            "obj_can_change": False,
            "obj_can_delete": False,
            "steps": actions.follow_up_steps(obj, user),
            "history": list(obj.transitions.select_related("user").order_by("at", "pk")),
            "mission_visible": missions_reached(user).filter(pk=mission.pk).exists(),
        }


class FollowUpStepView(LoginRequiredMixin, View):
    titles = {"close": gettext_lazy("Report the follow-up done"), "reopen": gettext_lazy("Reopen the follow-up")}

    def follow_up(self) -> FollowUp:
        if self.kwargs["action"] not in self.titles:
            raise Http404
        if not can(self.request.user, Action.VIEW, FollowUp):
            raise PermissionDenied
        try:
            follow_up = restrict(follow_ups(), self.request.user, Action.VIEW).get(pk=self.kwargs["pk"])
        except FollowUp.DoesNotExist:
            raise Http404 from None
        refusal = actions.FOLLOW_UP_LIFECYCLE.refusal(follow_up, self.request.user, self.kwargs["action"])
        if refusal is not None and refusal.status == 403:
            raise PermissionDenied
        return follow_up

    def form(self):
        if self.kwargs["action"] == "close":
            return CloseForm(self.request.POST or None, initial={"closed_on": timezone.localdate()})
        return ReopenForm(self.request.POST or None)

    def render_form(self, follow_up, form):
        action = self.kwargs["action"]
        confirm = _("Follow-up: %(text)s (due %(date)s)") % {
            "text": follow_up.action, "date": follow_up.due_date.strftime("%d/%m/%Y")}  # fmt: skip
        return _render_form(self.request, form, title=self.titles[action], obj=follow_up, confirm=confirm,
                            cancel_url=reverse("inspections:followup_detail", args=[follow_up.pk]),
                            danger=action == "reopen")  # fmt: skip

    def get(self, request, pk, action):
        follow_up = self.follow_up()
        return self.render_form(follow_up, self.form())

    def post(self, request, pk, action):
        follow_up = self.follow_up()
        form = self.form()
        if form.is_valid():
            data = form.cleaned_data
            version = _version(request, follow_up.version)
            try:
                if action == "close":
                    actions.close_follow_up(user=request.user, follow_up=follow_up, note=data["note"],
                                            closed_on=data["closed_on"], version=version)  # fmt: skip
                else:
                    actions.reopen_follow_up(user=request.user, follow_up=follow_up, comment=data["comment"],
                                             version=version)  # fmt: skip
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field:
                    _refused(exc)
                _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(reverse("inspections:followup_detail", args=[follow_up.pk]))
        return self.render_form(follow_up, form)
