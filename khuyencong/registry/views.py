from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.attachments.panel import attachments_panel
from khuyencong.kernel.scoping import can
from khuyencong.registry import actions, export_columns
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.forms import CraftVillageForm, EstablishmentForm
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, Establishment
from khuyencong.registry.selectors import craft_village_list, craft_villages, establishment_list, establishments
from khuyencong.registry.services import eligibility
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import (
    Column,
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from khuyencong.web.pagination import capped_page


class EstablishmentMixin:
    model = Establishment

    def base_queryset(self):
        return establishments()


ESTABLISHMENT_COLUMNS = [
    Column("name", gettext_lazy("Name"), sort="name", link=True),
    Column("tax_code", gettext_lazy("Tax code"), sort="tax_code"),
    Column("get_legal_form_display", gettext_lazy("Legal form"), sort="legal_form"),
    Column("commune", gettext_lazy("Commune")),
    Column("province", gettext_lazy("Province"), sort="province"),
    Column("workers_total", gettext_lazy("Workers"), sort="workers_total"),
    Column("get_status_display", gettext_lazy("Status"), sort="status"),
]


class EstablishmentListView(EstablishmentMixin, ObjectListView):
    template_name = "registry/establishment_list.html"
    columns = ESTABLISHMENT_COLUMNS
    filterset = EstablishmentFilters
    selector = staticmethod(establishment_list)


class EstablishmentExportView(EstablishmentListView, ObjectExportView):
    """The import spec's columns, so an exported file edited in Excel imports back."""

    export_columns = export_columns.ESTABLISHMENT_EXPORT_COLUMNS

    def rows(self, queryset, columns):
        return super().rows(queryset.select_related(*export_columns.RELATED), columns)

    def prepare_chunk(self, objects):
        export_columns.attach_line_codes(objects)


class EstablishmentDetailView(EstablishmentMixin, ObjectDetailView):
    template_name = "registry/establishment_detail.html"
    fields = [
        Column("get_legal_form_display", gettext_lazy("Legal form")),
        Column("tax_code", gettext_lazy("Tax code")),
        Column("registration_number", gettext_lazy("Business registration number")),
        Column("owner_name", gettext_lazy("Owner")),
        Column("get_owner_gender_display", gettext_lazy("Owner's gender")),
        Column("address", gettext_lazy("Address")),
        Column("commune", gettext_lazy("Commune")),
        Column("province", gettext_lazy("Province")),
        Column("legacy_commune", gettext_lazy("Commune before 1/7/2025")),
        Column("craft_village", gettext_lazy("Craft village")),
        Column("main_products", gettext_lazy("Main products")),
        Column("workers_total", gettext_lazy("Workers")),
        Column("workers_women", gettext_lazy("Women workers")),
        Column("workers_ethnic_minority", gettext_lazy("Ethnic-minority workers")),
        Column("annual_revenue", gettext_lazy("Annual revenue (đồng)"), filter="vnd"),
        Column("founding_year", gettext_lazy("Founding year")),
        Column("phone", gettext_lazy("Phone")),
        Column("email", gettext_lazy("Email")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("women_owned", gettext_lazy("Women-owned")),
        Column("ethnic_minority_workers", gettext_lazy("Employs ethnic-minority workers")),
        Column("disadvantaged_area", gettext_lazy("In a disadvantaged area")),
    ]

    def base_queryset(self):
        # The eligibility card reads both communes with their district and province.
        return (
            super()
            .base_queryset()
            .select_related(
                "commune__district",
                "commune__province",
                "legacy_commune__district",
                "legacy_commune__province",
                "craft_village",
            )
        )

    def extra_context(self, obj):
        return {
            "eligibility": eligibility(obj),
            "industry_lines": list(obj.industry_lines.all()),
            "merged_records": list(obj.merged_records.all()),
            # Supports received across programmes and years come from the apps that give them
            # (projects…), registered in kernel.sections for "registry.establishment".
            "attachments": attachments_panel(obj, self.request.user),
        }


class EstablishmentEditView(EstablishmentMixin, ObjectEditView):
    form_class = EstablishmentForm
    template_name = "registry/record_form.html"

    def save(self, form):
        values = dict(form.cleaned_data)
        lines = values.pop("industry_lines", None)
        return actions.save_establishment(
            user=self.request.user,
            values=values,
            industry_line_ids=None if lines is None else [line.pk for line in lines],
            instance=form.instance if form.instance.pk else None,
        )


class EstablishmentDeleteView(EstablishmentMixin, ObjectDeleteView):
    pass


class CraftVillageMixin:
    model = CraftVillage

    def base_queryset(self):
        return craft_villages()


class CraftVillageListView(CraftVillageMixin, ObjectListView):
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("commune", gettext_lazy("Commune")),
        Column("province", gettext_lazy("Province"), sort="province__name"),
        Column("recognised", gettext_lazy("Recognised"), sort="recognised"),
        Column("decision_number", gettext_lazy("Recognition decision number")),
        Column("decision_date", gettext_lazy("Recognition decision date"), filter="vndate"),
        Column("crafts", gettext_lazy("Crafts")),
    ]
    filterset = CraftVillageFilters
    selector = staticmethod(craft_village_list)


class CraftVillageExportView(CraftVillageListView, ObjectExportView):
    pass


class CraftVillageDetailView(CraftVillageMixin, ObjectDetailView):
    fields = CraftVillageListView.columns[1:]


class CraftVillageEditView(CraftVillageMixin, ObjectEditView):
    form_class = CraftVillageForm
    template_name = "registry/record_form.html"


class CraftVillageDeleteView(CraftVillageMixin, ObjectDeleteView):
    def refusal(self, obj):
        return actions.craft_village_in_use(obj)

    def delete(self, obj):
        actions.delete_craft_village(village=obj, user=self.request.user)


class DuplicateQueueView(LoginRequiredMixin, View):
    """Pairs that may be the same establishment, for the officer to merge or dismiss."""

    page_size = 25

    def get(self, request):
        pending = actions.pairs_in_reach(request.user).filter(status=DuplicateCandidate.Status.OPEN)
        page = capped_page(pending.order_by("-score", "pk"), request.GET.get("page"), self.page_size)
        candidates = list(page.object_list)
        allowed = actions.decisions_open_to(request.user, candidates)
        rows = [(c, allowed.get(c.pk, frozenset())) for c in candidates]
        return render(request, "registry/duplicate_queue.html", {"rows": rows, "page": page})

    def post(self, request):
        """The queue's own buttons: ``candidate`` and ``decision`` (dismiss, keep_first, keep_second)."""
        decision = request.POST.get("decision", "")
        action = "dismiss" if decision == "dismiss" else "merge"
        view = DuplicateActionView.as_view()
        return view(request, pk=request.POST.get("candidate", ""), action=action, keep=decision.removeprefix("keep_"))


class DuplicateActionView(ObjectActionView):
    """POST duplicates/<pk>/do/<merge|dismiss>/ (``keep`` = first|second for a merge)."""

    model = DuplicateCandidate
    lifecycle = actions.DUPLICATE_REVIEW
    partial_template = "registry/_duplicate_actions.html"

    def post(self, request, *args, **kwargs):
        # A decision the role does not hold is refused outright (403), before any lookup; reach and
        # state are the action's to judge.
        if self.kwargs.get("action") in ("merge", "dismiss") and not can(
            request.user, self.kwargs["action"], DuplicateCandidate
        ):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_object(self, action=None):
        try:
            return actions.pairs_in_reach(self.request.user).get(pk=self.kwargs["pk"])
        except (DuplicateCandidate.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def scoped(self, action=None):
        return actions.pairs_in_reach(self.request.user)

    def perform(self, obj, action):
        comment = self.request.POST.get("comment", "")
        if action == "dismiss":
            return actions.dismiss_duplicate(candidate=obj, user=self.request.user, comment=comment)
        if action == "merge":
            keep = self.kwargs.get("keep") or self.request.POST.get("keep", "")
            return actions.merge_duplicate(candidate=obj, keep=keep, user=self.request.user, comment=comment)
        raise Http404

    def done_message(self, obj, action, result):
        if action == "merge":
            return _("Merged the pair into “%(keep)s”.") % {"keep": result}
        return _("Marked as not a duplicate.")

    def success_url(self, obj, action, result):
        if action == "merge":
            return reverse("registry:establishment_detail", args=[result.pk])
        return reverse("registry:duplicate_queue")

    def refused_url(self, obj, action):
        return reverse("registry:duplicate_queue")
