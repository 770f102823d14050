"""“My establishment”: the page of an establishment's own account. It reads the record linked to
the account's org unit and changes only contacts, products and workers, through
``registry.actions.update_own_establishment``; any other record does not exist for it (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.audit.models import ObjectChange
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import can
from khuyencong.registry import actions
from khuyencong.registry.forms import OwnEstablishmentForm
from khuyencong.registry.models import Establishment
from khuyencong.registry.selectors import UPDATE_OWN, VIEW_OWN, own_establishments
from khuyencong.registry.views import EstablishmentDetailView

HISTORY_LENGTH = 10


class OwnMixin(LoginRequiredMixin):
    action = VIEW_OWN

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.action, Establishment):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def recent_changes(obj) -> list[ObjectChange]:
    """The latest changes of the record (the page words them as the change-log pages do)."""
    content_type = ContentType.objects.get_for_model(Establishment)
    return list(
        ObjectChange.objects.filter(content_type=content_type, object_id=str(obj.pk))
        .select_related("content_type", "user")
        .order_by("-time", "-pk")[:HISTORY_LENGTH]
    )


class OwnEstablishmentView(OwnMixin, View):
    """GET mine/: each record linked to the account's org unit (usually one), with its history."""

    def get(self, request):
        records = list(
            own_establishments(request.user).select_related("legacy_commune").prefetch_related("industry_lines")
        )
        editable = set(own_establishments(request.user, UPDATE_OWN).values_list("pk", flat=True))
        fields = EstablishmentDetailView.fields
        cards = [
            {
                "object": obj,
                "field_rows": [(col, col.value(obj)) for col in fields],
                "industry_lines": list(obj.industry_lines.all()),
                "can_update": obj.pk in editable,
                "changes": recent_changes(obj),
            }
            for obj in records
        ]
        return render(request, "registry/own_establishment.html", {"cards": cards})


class OwnEstablishmentEditView(OwnMixin, View):
    """GET/POST mine/<pk>/edit/: contacts, products and workers of the account's own record."""

    action = UPDATE_OWN

    def get_object(self, pk):
        obj = own_establishments(self.request.user, UPDATE_OWN).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def render_form(self, form, obj):
        context = {"form": form, "object": obj, "list_url": reverse("registry:own_establishment")}
        return render(self.request, "registry/record_form.html", context)

    def get(self, request, pk):
        obj = self.get_object(pk)
        return self.render_form(OwnEstablishmentForm(instance=obj), obj)

    def post(self, request, pk):
        obj = self.get_object(pk)
        form = OwnEstablishmentForm(request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(form, obj)
        try:
            actions.update_own_establishment(user=request.user, establishment=obj, values=form.cleaned_data)
        except ActionRefused as exc:
            if exc.status == 404:
                raise Http404 from None
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form, obj)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(reverse("registry:own_establishment"))
