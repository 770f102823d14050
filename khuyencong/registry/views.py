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

T = gettext_lazy


class EstablishmentMixin:
    model = Establishment

    def base_queryset(self):
        return establishments()


ESTABLISHMENT_COLUMNS = [
    Column("name", T("Name"), sort="name", link=True),
    Column("tax_code", T("Tax code"), sort="tax_code"),
    Column("get_legal_form_display", T("Legal form"), sort="legal_form"),
    Column("commune", T("Commune")),
    Column("province", T("Province"), sort="province__name"),
    Column("workers_total", T("Workers"), sort="workers_total"),
    Column("get_status_display", T("Status"), sort="status"),
]


class EstablishmentListView(EstablishmentMixin, ObjectListView):
    template_name = "registry/establishment_list.html"
    columns = ESTABLISHMENT_COLUMNS
    filterset = EstablishmentFilters
    selector = staticmethod(establishment_list)


class EstablishmentExportView(EstablishmentListView, ObjectExportView):
    export_columns = [
        *ESTABLISHMENT_COLUMNS,
        Column("registration_number", T("Business registration number")),
        Column("owner_name", T("Owner")),
        Column("get_owner_gender_display", T("Owner's gender")),
        Column("address", T("Address")),
        Column("commune.code", T("Commune code")),
        Column("craft_village", T("Craft village")),
        Column("main_products", T("Main products")),
        Column("workers_women", T("Women workers")),
        Column("workers_ethnic_minority", T("Ethnic-minority workers")),
        Column("annual_revenue", T("Annual revenue (đồng)")),
        Column("founding_year", T("Founding year")),
        Column("phone", T("Phone")),
        Column("email", T("Email")),
        Column("women_owned", T("Women-owned")),
        Column("ethnic_minority_workers", T("Employs ethnic-minority workers")),
        Column("disadvantaged_area", T("In a disadvantaged area")),
    ]


class EstablishmentDetailView(EstablishmentMixin, ObjectDetailView):
    template_name = "registry/establishment_detail.html"
    fields = [
        Column("get_legal_form_display", T("Legal form")),
        Column("tax_code", T("Tax code")),
        Column("registration_number", T("Business registration number")),
        Column("owner_name", T("Owner")),
        Column("get_owner_gender_display", T("Owner's gender")),
        Column("address", T("Address")),
        Column("commune", T("Commune")),
        Column("province", T("Province")),
        Column("legacy_commune", T("Commune before 1/7/2025")),
        Column("craft_village", T("Craft village")),
        Column("main_products", T("Main products")),
        Column("workers_total", T("Workers")),
        Column("workers_women", T("Women workers")),
        Column("workers_ethnic_minority", T("Ethnic-minority workers")),
        Column("annual_revenue", T("Annual revenue (đồng)"), filter="vnd"),
        Column("founding_year", T("Founding year")),
        Column("phone", T("Phone")),
        Column("email", T("Email")),
        Column("get_status_display", T("Status")),
        Column("women_owned", T("Women-owned")),
        Column("ethnic_minority_workers", T("Employs ethnic-minority workers")),
        Column("disadvantaged_area", T("In a disadvantaged area")),
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
        Column("name", T("Name"), sort="name", link=True),
        Column("commune", T("Commune")),
        Column("province", T("Province"), sort="province__name"),
        Column("recognised", T("Recognised"), sort="recognised"),
        Column("decision_number", T("Recognition decision number")),
        Column("decision_date", T("Recognition decision date"), filter="vndate"),
        Column("crafts", T("Crafts")),
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
