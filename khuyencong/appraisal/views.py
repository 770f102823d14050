"""The council pages: thin adapters over ``selectors`` (reads) and ``actions`` (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.appraisal import actions, services, workbooks
from khuyencong.appraisal.filters import CouncilFilters
from khuyencong.appraisal.forms import (
    ConcludeCouncilForm,
    ConcludeProjectForm,
    CouncilForm,
    CriterionFormSet,
    MemberFormSet,
    ProjectsForm,
)
from khuyencong.appraisal.models import Council, CouncilMember
from khuyencong.appraisal.selectors import council_for, council_list, councils, passing_reviews
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, user_scope
from khuyencong.projects.models import BeneficiaryLine
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import Province
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectListView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _level_label(council) -> str:
    return _("Agency's council") if council.level == Level.NATIONAL else _("Department's council")


class CouncilMixin:
    model = Council

    def base_queryset(self):
        return councils()


class CouncilListView(CouncilMixin, ObjectListView):
    template_name = "appraisal/council_list.html"
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("year", gettext_lazy("Year"), sort="year"),
        Column("get_level_display", gettext_lazy("Level"), sort="level"),
        Column("province", gettext_lazy("Province")),
        Column("decision_number", gettext_lazy("Establishing decision")),
        Column("get_state_display", gettext_lazy("State"), sort="state"),
    ]
    filterset = CouncilFilters
    selector = staticmethod(council_list)

    def common_context(self):
        user = self.request.user
        context = super().common_context()
        context["can_add"] = actions.may_manage_any(user)
        scope = user_scope(user, Action.EXPORT, Council)
        year = self.request.GET.get("year", "")
        context["list_year"] = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
        context["can_national_list"] = scope.everywhere
        return context


class CouncilExportView(CouncilListView, ObjectExportView):
    pass


def _data(request):
    return request.POST if request.method == "POST" else None


def _refused(exc: ActionRefused):
    if exc.status == 403 and not exc.field:
        raise PermissionDenied
    if exc.status == 404 and not exc.field:
        raise Http404


def _form_errors(form, exc: ActionRefused) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


class CouncilPageMixin(LoginRequiredMixin):
    """A page about one council the user can see (404 otherwise)."""

    def council(self) -> Council:
        if not can(self.request.user, Action.VIEW, Council):
            raise PermissionDenied
        council = council_for(self.request.user, self.kwargs["pk"])
        if council is None:
            raise Http404
        return council

    def managed(self) -> Council:
        """A council the user manages: 403 for a role that never manages councils (before any lookup)."""
        if not actions.may_manage_any(self.request.user):
            raise PermissionDenied
        council = self.council()
        if not actions.may_manage(self.request.user, council):
            raise PermissionDenied
        return council

    def detail_url(self, council) -> str:
        return reverse("appraisal:council_detail", args=[council.pk])


class CouncilDetailView(CouncilPageMixin, View):
    def get(self, request, pk):
        council = self.council()
        user = request.user
        criteria = list(council.criteria.order_by("order", "pk"))
        results = services.review_results(council)
        for result in results:
            for sheet in result.sheets:
                sheet.row = sheet.cells(criteria)
        manages = actions.may_manage(user, council)
        open_ = council.is_open
        members = results[0].members if results else list(council.members.select_related("user").order_by("order"))
        secretary = any(m.user_id == user.pk and m.role == CouncilMember.Role.SECRETARY for m in members)
        scorable = {m.pk for m in members if open_ and (manages or secretary or m.user_id == user.pk)}
        context = {
            "object": council,
            "level_label": _level_label(council),
            "criteria": criteria,
            "max_total": services.max_total(criteria),
            "members": members,
            "results": results,
            "manages": manages and open_,
            "scorable": scorable,
            "can_conclude": manages and open_ and results and all(r.review.conclusion for r in results),
            "can_delete": manages and open_ and not any(r.review.conclusion for r in results),
            "history": list(council.transitions.select_related("user")),
            "province_list_url": reverse("appraisal:province_list", args=[council.province.code, council.year])
            if council.province_id and can(user, Action.EXPORT, Council)
            else None,
            "national_list_url": reverse("appraisal:national_list", args=[council.year])
            if user_scope(user, Action.EXPORT, Council).everywhere
            else None,
        }
        return render(request, "appraisal/council_detail.html", context)


class CouncilEditView(CouncilPageMixin, View):
    """Create a council (no ``pk``) or change one the user manages."""

    def instance(self) -> Council | None:
        if "pk" not in self.kwargs:
            if not actions.may_manage_any(self.request.user):
                raise PermissionDenied
            return None
        return self.managed()

    def render_form(self, obj, form):
        context = {
            "form": form,
            "object": obj,
            "title": _("Edit the council") if obj else _("New appraisal council"),
            "cancel_url": self.detail_url(obj) if obj else reverse("appraisal:council_list"),
            "form_id": "council-form",
        }
        return render(self.request, "appraisal/form.html", context)

    def form(self, obj):
        initial = None
        if obj is not None:
            initial = {n: getattr(obj, n) for n in ("level", "year", "name", "decision_number", "decision_date",
                                                    "pass_threshold", "minutes")}  # fmt: skip
            initial |= {"province": obj.province_id, "convening_unit": obj.convening_unit_id}
        elif can(self.request.user, actions.MANAGE_LOCAL, Council):
            initial = {"level": Level.LOCAL}
        else:
            initial = {"level": Level.NATIONAL}
        return CouncilForm(_data(self.request), initial=initial, user=self.request.user)

    def get(self, request, pk=None):
        obj = self.instance()
        return self.render_form(obj, self.form(obj))

    def post(self, request, pk=None):
        obj = self.instance()
        form = self.form(obj)
        if form.is_valid():
            values = dict(form.cleaned_data)
            values["decision_number"] = (values.get("decision_number") or "").strip()
            if values["level"] == Level.NATIONAL:
                values["province"] = None
            try:
                saved = actions.save_council(user=request.user, values=values, instance=obj)
            except ActionRefused as exc:
                _refused(exc)
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return HttpResponseRedirect(self.detail_url(saved))
        return self.render_form(obj, form)


class CouncilStepView(CouncilPageMixin, View):
    """A confirmation page with a form that takes one action on a council the user manages."""

    title = ""
    confirm = ""
    danger = False
    form_class = ConcludeCouncilForm

    def form(self, council):
        return self.form_class(_data(self.request))

    def get_confirm(self, council) -> str:
        return str(self.confirm)

    def render_form(self, council, form, **extra):
        context = {
            "form": form, "object": council, "title": self.title, "confirm": self.get_confirm(council),
            "danger": self.danger, "cancel_url": self.detail_url(council), **extra,
        }  # fmt: skip
        return render(self.request, "appraisal/form.html", context)

    def target(self, council):
        return council

    def perform(self, council, form):
        raise NotImplementedError

    def get(self, request, **kwargs):
        council = self.managed()
        return self.render_form(council, self.form(council))

    def post(self, request, **kwargs):
        council = self.managed()
        form = self.form(council)
        if form.is_valid():
            try:
                self.perform(council, form)
            except ActionRefused as exc:
                _refused(exc)
                _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(self.done_url(council))
        return self.render_form(council, form)

    def done_url(self, council) -> str:
        return self.detail_url(council)


class CouncilDeleteView(CouncilStepView):
    title = gettext_lazy("Delete the council")
    confirm = gettext_lazy("The council, its members, criteria and score sheets will be deleted.")
    danger = True

    def form(self, council):
        return _EmptyForm(_data(self.request))

    def perform(self, council, form):
        actions.delete_council(user=self.request.user, council=council)

    def done_url(self, council):
        return reverse("appraisal:council_list")


class _EmptyForm(ConcludeCouncilForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("minutes")


class ConcludeCouncilView(CouncilStepView):
    title = gettext_lazy("Conclude the council")
    confirm = gettext_lazy("The council's work ends: no sheet, member, criterion or project can change after this.")

    def form(self, council):
        return ConcludeCouncilForm(_data(self.request), initial={"minutes": council.minutes})

    def perform(self, council, form):
        actions.conclude_council(user=self.request.user, council=council, minutes=form.cleaned_data["minutes"])


class AddProjectsView(CouncilStepView):
    title = gettext_lazy("Add projects to the council")

    def form(self, council):
        rows = actions.reviewable_projects(council).select_related("province").order_by("name_key", "pk")
        return ProjectsForm(_data(self.request), queryset=rows)

    def perform(self, council, form):
        actions.add_projects(user=self.request.user, council=council, projects=list(form.cleaned_data["projects"]))


class RemoveProjectView(CouncilStepView):
    title = gettext_lazy("Remove the project from the council")
    confirm = gettext_lazy("Its score sheets are deleted with it.")
    danger = True

    def review(self, council):
        review = council.reviews.select_related("project").filter(project_id=self.kwargs["project"]).first()
        if review is None:
            raise Http404
        return review

    def form(self, council):
        return _EmptyForm(_data(self.request))

    def get_confirm(self, council):
        return f"{self.review(council).project} — {self.confirm}"

    def perform(self, council, form):
        actions.remove_project(user=self.request.user, council=council, project=self.review(council).project)


class ConcludeProjectView(RemoveProjectView):
    title = gettext_lazy("Conclude on the project")
    danger = False

    def form(self, council):
        return ConcludeProjectForm(_data(self.request))

    def get_confirm(self, council):
        review = self.review(council)
        result = services.result_of(council, review)
        step = _("the Agency's appraisal") if council.is_agency else _("the Department's appraisal")
        average = floatformat(result.average, "-2") if result.average is not None else "—"
        return _(
            "%(project)s: average %(average)s over %(sheets)s submitted sheets (threshold %(threshold)s). "
            "The conclusion is recorded as %(step)s of the project."
        ) % {"project": review.project, "average": average, "sheets": len(result.submitted),
             "threshold": floatformat(council.pass_threshold, "-1"), "step": step}  # fmt: skip

    def perform(self, council, form):
        data = form.cleaned_data
        actions.conclude_project(user=self.request.user, council=council, project=self.review(council).project,
                                 conclusion=data["conclusion"], comment=data["comment"])  # fmt: skip


class MembersView(CouncilStepView):
    title = gettext_lazy("Members of the council")

    def formset(self, council):
        initial = [
            {"id": m.pk, "full_name": m.full_name, "position": m.position, "role": m.role,
             "username": m.user.username if m.user_id else ""}
            for m in council.members.select_related("user").order_by("order", "pk")
        ]  # fmt: skip
        return MemberFormSet(_data(self.request), initial=initial, prefix="members")

    def render_formset(self, council, formset, errors=()):
        context = {"formset": formset, "object": council, "title": self.title, "errors": errors,
                   "cancel_url": self.detail_url(council), "kind": "members"}  # fmt: skip
        return render(self.request, "appraisal/rows_form.html", context)

    def get(self, request, **kwargs):
        council = self.managed()
        return self.render_formset(council, self.formset(council))

    def post(self, request, **kwargs):
        council = self.managed()
        formset = self.formset(council)
        if formset.is_valid():
            rows = [
                actions.MemberInput(
                    full_name=row["full_name"],
                    position=row.get("position") or "",
                    role=row["role"],
                    user=row.get("username"),
                    id=row.get("id"),
                )
                for row in formset.cleaned_data
                if row and not row.get("DELETE") and (row.get("full_name") or "").strip()
            ]
            try:
                actions.set_members(user=request.user, council=council, members=rows)
            except ActionRefused as exc:
                _refused(exc)
                return self.render_formset(council, formset, list(exc.errors.values()))
            messages.success(request, _("Done."))
            return HttpResponseRedirect(self.detail_url(council))
        return self.render_formset(council, formset)


class CriteriaView(MembersView):
    title = gettext_lazy("Scoring criteria")

    def formset(self, council):
        initial = [{"code": c.code, "name": c.name, "max_score": c.max_score} for c in council.criteria.all()]
        return CriterionFormSet(_data(self.request), initial=initial, prefix="criteria")

    def render_formset(self, council, formset, errors=()):
        context = {"formset": formset, "object": council, "title": self.title, "errors": errors,
                   "cancel_url": self.detail_url(council), "kind": "criteria"}  # fmt: skip
        return render(self.request, "appraisal/rows_form.html", context)

    def post(self, request, **kwargs):
        council = self.managed()
        formset = self.formset(council)
        if formset.is_valid():
            rows = [
                actions.CriterionInput(code=row["code"] or "", name=row["name"] or "", max_score=row["max_score"])
                for row in formset.cleaned_data
                if row and not row.get("DELETE") and (row.get("code") or row.get("name"))
            ]
            try:
                actions.set_criteria(user=request.user, council=council, criteria=rows)
            except ActionRefused as exc:
                _refused(exc)
                return self.render_formset(council, formset, list(exc.errors.values()))
            messages.success(request, _("Done."))
            return HttpResponseRedirect(self.detail_url(council))
        return self.render_formset(council, formset)


class SheetView(CouncilPageMixin, View):
    """One member's score sheet on one project; the form posts back here (HTMX swaps the card)."""

    def parts(self):
        council = self.council()
        review = council.reviews.select_related("project").filter(project_id=self.kwargs["project"]).first()
        member = council.members.filter(pk=self.kwargs["member"]).first()
        if review is None or member is None:
            raise Http404
        if not actions.may_score_for(self.request.user, council, member):
            raise PermissionDenied
        return council, review, member

    def render_sheet(self, council, review, member, values=None, comment=None, errors=None, status=200):
        result = services.result_of(council, review)
        mine = next(s for s in result.sheets if s.member.pk == member.pk)
        criteria = list(council.criteria.order_by("order", "pk"))
        if values is None:
            values = {c.code: mine.values.get(c.pk) for c in criteria}
        rows = [(c, values.get(c.code), (errors or {}).get(f"scores.{c.code}")) for c in criteria]
        context = {
            "object": council, "review": review, "member": member, "rows": rows, "sheet": mine,
            "comment": mine.sheet.comment if comment is None and mine.sheet else (comment or ""),
            "errors": errors or {}, "max_total": services.max_total(criteria), "result": result,
            "title": _("Score sheet of %(member)s") % {"member": member.full_name},
        }  # fmt: skip
        template = "appraisal/_sheet_form.html" if self.request.htmx else "appraisal/sheet.html"
        return render(self.request, template, context, status=status)

    def get(self, request, **kwargs):
        return self.render_sheet(*self.parts())

    def post(self, request, **kwargs):
        council, review, member = self.parts()
        codes = list(council.criteria.values_list("code", flat=True))
        scores = {code: request.POST.get(f"score_{code}", "") for code in codes}
        comment = request.POST.get("comment", "")
        try:
            actions.save_sheet(user=request.user, council=council, project=review.project, member=member,
                               scores=scores, comment=comment, submit="submit" in request.POST)  # fmt: skip
        except ActionRefused as exc:
            _refused(exc)
            errors = exc.errors if exc.code == "validation_error" else {"": exc.message}
            # 200 even for HTMX: it swaps only successful answers, and the form must come back marked.
            return self.render_sheet(council, review, member, scores, comment, errors)
        messages.success(request, _("The score sheet is saved."))
        url = self.detail_url(council) + f"#review-{review.pk}"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


# --- the consolidated lists -------------------------------------------------------------------


def _with_beneficiaries(rows):
    lines = BeneficiaryLine.objects.select_related("establishment").order_by("position", "pk")
    return list(rows.prefetch_related(Prefetch("project__beneficiaries", queryset=lines)))


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ProvinceListView(LoginRequiredMixin, View):
    """The Department's list of passing projects of a year (Form 2)."""

    def get(self, request, province, year):
        user = request.user
        if not can(user, Action.EXPORT, Council):
            raise PermissionDenied
        place = Province.objects.current().filter(code=province).first()
        if place is None or not user_scope(user, Action.EXPORT, Council).covers(province_id=place.pk):
            raise Http404
        rows = _with_beneficiaries(passing_reviews(user=user, year=year, province=place))
        content = workbooks.province_workbook(rows, province=place, year=year)
        log_access(user, "export", "appraisal.council", {"list": "province", "province": province, "year": year},
                   row_count=len(rows))  # fmt: skip
        return _download(content, f"danh-sach-de-an-dat-tham-dinh-{province}-{year}.xlsx")


class NationalListView(LoginRequiredMixin, View):
    """The Agency's consolidated national list of a year, by province."""

    def get(self, request, year):
        user = request.user
        if not user_scope(user, Action.EXPORT, Council).everywhere:
            raise PermissionDenied
        rows = _with_beneficiaries(passing_reviews(user=user, year=year, national=True))
        content = workbooks.national_workbook(rows, year=year)
        log_access(user, "export", "appraisal.council", {"list": "national", "year": year}, row_count=len(rows))
        return _download(content, f"danh-sach-de-an-khuyen-cong-quoc-gia-{year}.xlsx")
