from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from khuyencong.audit.models import ObjectChange
from khuyencong.web.forms import FilterForm
from khuyencong.web.generic import Column, ObjectDetailView, ObjectListView, ScopedViewMixin


class ObjectChangeFilterForm(FilterForm):
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("All actions"))] + list(ObjectChange.Action.choices))
    user_name = forms.CharField(label=_("User"))
    request_id = forms.CharField(label=_("Request id"))

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("user_name"):
            queryset = queryset.filter(user_name=data["user_name"])
        if data.get("request_id"):
            queryset = queryset.filter(request_id=data["request_id"])
        return queryset


class ObjectChangeListView(ObjectListView):
    model = ObjectChange
    search_field = None
    default_sort = "-time"
    filter_form_class = ObjectChangeFilterForm
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
