from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, restrict
from khuyencong.organisation.forms import OrgUnitFilterForm, OrgUnitForm
from khuyencong.organisation.models import OrgUnit
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView


class OrgUnitViewMixin:
    model = OrgUnit

    def base_queryset(self):
        return OrgUnit.objects.select_related("province", "parent", "region", "commune")


class OrgUnitListView(OrgUnitViewMixin, ObjectListView):
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True),
        Column("get_kind_display", _("Kind"), sort="kind"),
        Column("province", _("Province"), sort="province__name"),
        Column("parent", _("Parent unit")),
    ]
    default_sort = "path"
    filter_form_class = OrgUnitFilterForm


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
        children = restrict(obj.children.select_related("province"), self.request.user, Action.VIEW)
        return {"children": children.order_by("name")}


class OrgUnitEditView(OrgUnitViewMixin, ObjectEditView):
    form_class = OrgUnitForm


class OrgUnitDeleteView(OrgUnitViewMixin, ObjectDeleteView):
    pass
