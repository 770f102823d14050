from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from khuyencong.audit.filters import ObjectChangeFilters
from khuyencong.audit.models import ObjectChange
from khuyencong.web.generic import Column, ObjectDetailView, ObjectListView, ScopedViewMixin


class ObjectChangeListView(ObjectListView):
    model = ObjectChange
    filterset = ObjectChangeFilters
    columns = [
        Column("time", _("Time"), sort="time", filter="vndatetime"),
        Column("person_name", _("User"), sort="user_name"),
        Column("get_action_display", _("Action")),
        Column("content_type.name", _("Type")),
        Column("object_repr", _("Object"), link=True),
        Column("request_id", _("Request id")),
    ]

    def base_queryset(self):
        return ObjectChange.objects.select_related("content_type", "user")


class ObjectChangeDetailView(ObjectDetailView):
    model = ObjectChange
    template_name = "audit/objectchange_detail.html"

    def base_queryset(self):
        return ObjectChange.objects.select_related("content_type", "user")


class ObjectHistoryView(ScopedViewMixin, View):
    """Every change of one record, newest first."""

    model = ObjectChange

    def get(self, request, app_label, model_name, object_id):
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        except ContentType.DoesNotExist:
            raise Http404 from None
        changes = (
            self.scoped()
            .filter(content_type=content_type, object_id=str(object_id))
            .select_related("content_type", "user")
        )
        return render(
            request,
            "audit/object_history.html",
            {"changes": changes[:500], "content_type": content_type, "object_id": object_id},
        )
