"""Scoped generic views every domain reuses: list, detail, edit, delete, export.

Each view asks the scoping layer for its rows first, so a record outside the user's reach is a
404 (it does not exist for them) and an action their role lacks is a 403. Writes happen in one
transaction and are re-checked with ``ensure_in_scope`` before commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict
from khuyencong.kernel.text import fold, vi_ordering
from khuyencong.web.pagination import capped_page


@dataclass(frozen=True)
class Column:
    name: str  # attribute path, dotted for related objects
    label: str
    sort: str | None = None  # the ORM field to order by, when sortable
    link: bool = False
    filter: str | None = None  # template filter name applied to the value: vndate, vnd…

    def value(self, obj):
        value = obj
        for part in self.name.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value):
                value = value()
        return value


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _reverse_or_none(name: str, pk) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


class ScopedViewMixin(LoginRequiredMixin):
    model = None
    action = Action.VIEW
    raise_exception = False

    def base_queryset(self):
        return self.model._default_manager.all()

    def scoped(self, action=None):
        action = action or self.action
        if not can(self.request.user, action, self.model):
            raise PermissionDenied
        return restrict(self.base_queryset(), self.request.user, action)

    def get_object(self, action=None):
        try:
            return self.scoped(action).get(pk=self.kwargs["pk"])
        except (self.model.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def url_name(self, suffix: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}:{meta.model_name}_{suffix}"

    def common_context(self):
        user = self.request.user
        return {
            "model_meta": self.model._meta,
            "can_add": can(user, Action.ADD, self.model),
            "can_change": can(user, Action.CHANGE, self.model),
            "can_delete": can(user, Action.DELETE, self.model),
            "can_export": can(user, Action.EXPORT, self.model),
            "list_url": reverse(self.url_name("list")),
            "export_url": _url_or_none(self.url_name("export")),
            "add_url": _url_or_none(self.url_name("add")),
        }


class ObjectListView(ScopedViewMixin, View):
    template_name = "web/object_list.html"
    columns: list[Column] = []
    search_field = "folded_name"
    default_sort = "pk"
    # With a search and no sort chosen, newest first: sorting every match by name is what makes a
    # common term slow on a big table (bench/README.md). None keeps ``default_sort``.
    search_sort: str | None = None
    filter_form_class = None
    page_size = 50
    count_cap = 10_000

    def filter_queryset(self, queryset):
        query = self.request.GET.get("q", "").strip()
        if query and self.search_field:
            queryset = queryset.filter(**{f"{self.search_field}__contains": fold(query)})
        form = (
            self.filter_form_class(self.request.GET or None, user=self.request.user) if self.filter_form_class else None
        )
        if form is not None and form.is_valid():
            queryset = form.filter(queryset)
        sort = self.request.GET.get("sort", "")
        allowed = {c.sort for c in self.columns if c.sort}
        # Names sort in Vietnamese alphabetical order (Đ after D), not by code point.
        if sort in allowed or (sort.startswith("-") and sort[1:] in allowed):
            queryset = queryset.order_by(*vi_ordering(self.model, sort), "pk")
        elif query and self.search_sort:
            queryset = queryset.order_by(self.search_sort)
        else:
            queryset = queryset.order_by(*vi_ordering(self.model, self.default_sort), "pk")
        return queryset, form

    def get(self, request, *args, **kwargs):
        queryset, form = self.filter_queryset(self.scoped())
        page = capped_page(queryset, request.GET.get("page"), self.page_size, self.count_cap)
        rows = [(obj, [(col, col.value(obj)) for col in self.columns]) for obj in page.object_list]
        context = {
            **self.common_context(),
            "columns": self.columns,
            "rows": rows,
            "page": page,
            "filter_form": form,
            "query": request.GET.get("q", ""),
            "sort": request.GET.get("sort", ""),
            "detail_url_name": self.url_name("detail"),
        }
        template = "web/_object_table.html" if request.htmx and not request.htmx.boosted else self.template_name
        return render(request, template, context)


class ObjectDetailView(ScopedViewMixin, View):
    template_name = "web/object_detail.html"
    fields: list[Column] = []

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        user = request.user
        context = {
            **self.common_context(),
            "object": obj,
            "field_rows": [(col, col.value(obj)) for col in self.fields],
            "obj_can_change": restrict(self.base_queryset().filter(pk=obj.pk), user, Action.CHANGE).exists(),
            "obj_can_delete": restrict(self.base_queryset().filter(pk=obj.pk), user, Action.DELETE).exists(),
            "edit_url": _reverse_or_none(self.url_name("edit"), obj.pk),
            "delete_url": _reverse_or_none(self.url_name("delete"), obj.pk),
            **self.extra_context(obj),
        }
        return render(request, self.template_name, context)


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or update (pk) an object with a form whose choices are scoped too."""

    template_name = "web/object_edit.html"
    form_class = None

    def get_form(self, instance=None):
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, instance=instance, user=self.request.user)

    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object(Action.CHANGE)
        if not can(self.request.user, Action.ADD, self.model):
            raise PermissionDenied
        return None

    def after_save(self, obj, *, created: bool) -> None:
        """Domain follow-up inside the same transaction (e.g. queue possible duplicates)."""

    def render_form(self, form, instance):
        return render(self.request, self.template_name, {**self.common_context(), "form": form, "object": instance})

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(self.get_form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance)
        if not form.is_valid():
            return self.render_form(form, instance)
        action = Action.CHANGE if instance is not None else Action.ADD
        try:
            with transaction.atomic():
                obj = form.save()
                # The saved row must still be inside the writer's reach, or nothing is kept.
                ensure_in_scope(request.user, action, obj)
                self.after_save(obj, created=instance is None)
        except PermissionDenied:
            form.add_error(None, _("You cannot save a record outside your org units."))
            return self.render_form(form, instance)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.url_name("detail"), args=[obj.pk]))


class ObjectDeleteView(ScopedViewMixin, View):
    template_name = "web/object_delete.html"
    action = Action.DELETE

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return render(request, self.template_name, {**self.common_context(), "object": obj})

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        label = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(
                request, _("“%(obj)s” cannot be deleted because other records refer to it.") % {"obj": label}
            )
            return HttpResponseRedirect(reverse(self.url_name("detail"), args=[obj.pk]))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": label})
        return HttpResponseRedirect(reverse(self.url_name("list")))
