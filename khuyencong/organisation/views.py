from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, restrict
from khuyencong.organisation.filters import OrgUnitFilters
from khuyencong.organisation.forms import OrgUnitForm, edits_reach
from khuyencong.organisation.models import OrgUnit
from khuyencong.organisation.selectors import org_unit_list, org_units
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView


class OrgUnitViewMixin:
    model = OrgUnit

    def base_queryset(self):
        return org_units()


class OrgUnitListView(OrgUnitViewMixin, ObjectListView):
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True),
        Column("get_kind_display", _("Kind"), sort="kind"),
        Column("province", _("Province"), sort="province__name"),
        Column("parent", _("Parent unit")),
    ]
    filterset = OrgUnitFilters
    selector = staticmethod(org_unit_list)


class OrgUnitExportView(OrgUnitListView, ObjectExportView):
    export_columns = OrgUnitListView.columns + [
        Column("address", _("Address")),
        Column("phone", _("Phone")),
        Column("email", _("Email")),
        Column("is_active", _("Active")),
    ]


class OrgUnitDetailView(OrgUnitViewMixin, ObjectDetailView):
    template_name = "organisation/orgunit_detail.html"
    fields = [
        Column("code", _("Code")),
        Column("name", _("Name")),
        Column("short_name", _("Short name")),
        Column("get_kind_display", _("Kind")),
        Column("parent", _("Parent unit")),
        Column("province", _("Province")),
        Column("commune", _("Commune")),
        Column("region", _("Region")),
        Column("address", _("Address")),
        Column("phone", _("Phone")),
        Column("email", _("Email")),
        Column("is_active", _("Active")),
    ]

    def extra_context(self, obj):
        user = self.request.user
        children = restrict(obj.children.select_related("province"), user, Action.VIEW)
        context = {"children": children.order_by("name")}
        if obj.is_reference and not edits_reach(user):
            context["obj_can_change"] = False
        return context


class OrgUnitEditView(OrgUnitViewMixin, ObjectEditView):
    form_class = OrgUnitForm

    def get_instance(self):
        instance = super().get_instance()
        # Standing reference units are upserted by code on every migrate: edited nationwide only.
        if instance is not None and instance.is_reference and not edits_reach(self.request.user):
            raise PermissionDenied
        return instance


class OrgUnitDeleteView(OrgUnitViewMixin, ObjectDeleteView):
    pass
