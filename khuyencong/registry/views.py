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

from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.registry.filters import CraftVillageFilters, EstablishmentFilters
from khuyencong.registry.forms import CraftVillageForm, EstablishmentForm
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, Establishment
from khuyencong.registry.selectors import craft_village_list, craft_villages, establishment_list, establishments
from khuyencong.registry.services import MergeError, eligibility, merge_establishments, queue_duplicates
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView


class EstablishmentMixin:
    model = Establishment

    def base_queryset(self):
        return establishments()


ESTABLISHMENT_COLUMNS = [
    Column("name", gettext_lazy("Name"), sort="name", link=True),
    Column("tax_code", gettext_lazy("Tax code"), sort="tax_code"),
    Column("get_legal_form_display", gettext_lazy("Legal form"), sort="legal_form"),
    Column("commune", gettext_lazy("Commune")),
    Column("province", gettext_lazy("Province"), sort="province__name"),
    Column("workers_total", gettext_lazy("Workers"), sort="workers_total"),
    Column("get_status_display", gettext_lazy("Status"), sort="status"),
]


class EstablishmentListView(EstablishmentMixin, ObjectListView):
    template_name = "registry/establishment_list.html"
    columns = ESTABLISHMENT_COLUMNS
    filterset = EstablishmentFilters
    selector = staticmethod(establishment_list)


class EstablishmentExportView(EstablishmentListView, ObjectExportView):
    export_columns = [
        *ESTABLISHMENT_COLUMNS,
        Column("registration_number", gettext_lazy("Business registration number")),
        Column("owner_name", gettext_lazy("Owner")),
        Column("get_owner_gender_display", gettext_lazy("Owner's gender")),
        Column("address", gettext_lazy("Address")),
        Column("commune.code", gettext_lazy("Commune code")),
        Column("craft_village", gettext_lazy("Craft village")),
        Column("main_products", gettext_lazy("Main products")),
        Column("workers_women", gettext_lazy("Women workers")),
        Column("workers_ethnic_minority", gettext_lazy("Ethnic-minority workers")),
        Column("annual_revenue", gettext_lazy("Annual revenue (đồng)")),
        Column("founding_year", gettext_lazy("Founding year")),
        Column("phone", gettext_lazy("Phone")),
        Column("email", gettext_lazy("Email")),
        Column("women_owned", gettext_lazy("Women-owned")),
        Column("ethnic_minority_workers", gettext_lazy("Employs ethnic-minority workers")),
        Column("disadvantaged_area", gettext_lazy("In a disadvantaged area")),
    ]


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
        return super().base_queryset().select_related("legacy_commune", "craft_village")

    def extra_context(self, obj):
        return {
            "eligibility": eligibility(obj),
            "industry_lines": list(obj.industry_lines.all()),
            "merged_records": list(obj.merged_records.all()),
            # Supports received across programmes and years; filled by the projects and finance
            # domains through their public functions as they land.
            "supports": [],
        }


class EstablishmentEditView(EstablishmentMixin, ObjectEditView):
    form_class = EstablishmentForm

    def after_save(self, obj, *, created):
        queue_duplicates(obj)


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


class CraftVillageDeleteView(CraftVillageMixin, ObjectDeleteView):
    pass


class DuplicateQueueView(LoginRequiredMixin, View):
    """Pairs that may be the same establishment, for the officer to merge or dismiss."""

    def candidates(self, action=Action.VIEW):
        if not can(self.request.user, action, DuplicateCandidate):
            raise PermissionDenied
        candidates = restrict(
            DuplicateCandidate.objects.select_related(
                "first__commune", "second__commune", "first__province", "second__province"
            ),
            self.request.user,
            action,
        )
        # A record may move province after the pair was found: both sides must be in reach.
        reachable = restrict(Establishment.objects.all(), self.request.user, Action.VIEW).values("pk")
        return candidates.filter(first__in=reachable, second__in=reachable)

    def get(self, request):
        pending = self.candidates().filter(status=DuplicateCandidate.Status.OPEN).order_by("-score", "pk")[:200]
        return render(request, "registry/duplicate_queue.html", {"candidates": pending})

    def post(self, request):
        try:
            candidate = self.candidates(Action.CHANGE).get(
                pk=request.POST.get("candidate"), status=DuplicateCandidate.Status.OPEN
            )
        except (DuplicateCandidate.DoesNotExist, ValueError):
            raise Http404 from None
        decision = request.POST.get("decision")
        if decision == "dismiss":
            DuplicateCandidate.objects.filter(pk=candidate.pk, status=DuplicateCandidate.Status.OPEN).update(
                status=DuplicateCandidate.Status.DISMISSED, reviewed_by=request.user, reviewed_at=timezone.now()
            )
            messages.success(request, _("Marked as not a duplicate."))
            return HttpResponseRedirect(reverse("registry:duplicate_queue"))
        if decision not in {"keep_first", "keep_second"}:
            raise Http404
        keep, drop = (
            (candidate.first, candidate.second) if decision == "keep_first" else (candidate.second, candidate.first)
        )
        # Both records must be ones this user may change.
        allowed = restrict(Establishment.objects.filter(pk__in=[keep.pk, drop.pk]), request.user, Action.CHANGE)
        if allowed.count() != 2:
            raise PermissionDenied
        try:
            merge_establishments(keep=keep, drop=drop, user=request.user)
        except MergeError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("registry:duplicate_queue"))
        messages.success(request, _("Merged “%(drop)s” into “%(keep)s”.") % {"drop": drop, "keep": keep})
        return HttpResponseRedirect(reverse("registry:establishment_detail", args=[keep.pk]))
