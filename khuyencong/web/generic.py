"""Scoped generic views every domain reuses: list, detail, edit, delete, export.

Each view asks the scoping layer for its rows first, so a record outside the user's reach is a
404 (it does not exist for them) and an action their role lacks is a 403. Writes happen in one
transaction and are re-checked with ``ensure_in_scope`` before commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partialmethod

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.kernel.db import QueryTooSlow, statement_timeout
from khuyencong.kernel.filters import FilterSpec, bind
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, ensure_in_scope, restrict, user_scope
from khuyencong.web.pagination import CappedPage, capped_page

logger = logging.getLogger(__name__)


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
            if value is None:
                return None
            label = _choice_label(value, part)
            if label is not _NOT_A_CHOICE:
                value = label
                continue
            value = getattr(value, part, None)
            if callable(value):
                value = value()
        return value


_NOT_A_CHOICE = object()
_choice_fields: dict[tuple[type, str], tuple[str, dict] | None] = {}


def _display_field(model: type, part: str):
    """The field behind Django's own ``get_<field>_display`` on ``model`` (None for anything else,
    e.g. a method of that name written by hand)."""
    for klass in model.__mro__:
        if part in klass.__dict__:
            attr = klass.__dict__[part]
            if isinstance(attr, partialmethod) and attr.func is models.Model._get_FIELD_display:
                return attr.keywords["field"]
            return None
    return None


def _choice_label(obj, part: str):
    """``obj.get_<field>_display()`` without rebuilding the field's choices on every call (Django
    makes a hashable dict of them per call, twice per row of a 50-row list); same result."""
    if not (part.startswith("get_") and part.endswith("_display")) or not isinstance(obj, models.Model):
        return _NOT_A_CHOICE
    key = (type(obj), part)
    if key not in _choice_fields:
        field = _display_field(type(obj), part)
        if field is not None and isinstance(field.choices, CallableChoiceIterator):
            field = None  # choices computed on each call stay so
        _choice_fields[key] = (field.attname, dict(make_hashable(field.flatchoices))) if field is not None else None
    found = _choice_fields[key]
    if found is None:
        return _NOT_A_CHOICE
    attname, labels = found
    value = getattr(obj, attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


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
    """A scoped, searchable, filterable, sortable list.

    The rows come from ``selector(user=, action=, filters=)`` (the app's ``selectors.py``), with
    the search, filters and sorts of ``filterset`` (the app's ``filters.py``): the API and the
    export job read the same function, so the page, its export and the API list agree.
    """

    template_name = "web/object_list.html"
    columns: list[Column] = []
    filterset: type[FilterSpec] | None = None
    selector = None  # staticmethod(app selector); None: filterset applied to base_queryset()
    page_size = 50
    count_cap = 10_000

    @classmethod
    def read(cls, *, user, action, filters=None):
        """The rows ``user`` may ``action`` under ``filters`` (a bound spec or query parameters)."""
        if cls.selector is not None:
            return cls.selector(user=user, action=action, filters=filters)
        queryset = restrict(cls().base_queryset(), user, action)
        if cls.filterset is None:
            return queryset.order_by("pk")
        return bind(cls.filterset, filters, user=user).apply(queryset)

    def get_filters(self) -> FilterSpec | None:
        return self.filterset(self.request.GET, user=self.request.user) if self.filterset else None

    def get(self, request, *args, **kwargs):
        if not can(request.user, self.action, self.model):
            raise PermissionDenied
        spec = self.get_filters()
        queryset = self.read(user=request.user, action=self.action, filters=spec)
        partial = bool(request.htmx and not request.htmx.boosted)
        too_slow = False
        try:
            with statement_timeout(settings.KC_LIST_STATEMENT_TIMEOUT_MS):
                # The search-as-you-type partial skips the count: the user is still typing.
                page = capped_page(queryset, request.GET.get("page"), self.page_size, self.count_cap, count=not partial)
        except QueryTooSlow:
            logger.warning("list query stopped by its time limit: %s %s", request.path, request.GET.urlencode())
            page, too_slow = CappedPage([], 1, self.page_size, None, False, False), True
        rows = [(obj, [(col, col.value(obj)) for col in self.columns]) for obj in page.object_list]
        context = {
            "too_slow": too_slow,
            **self.common_context(),
            "columns": self.columns,
            "rows": rows,
            "page": page,
            "filter_form": spec,
            "query": request.GET.get("q", ""),
            "sort": request.GET.get("sort", ""),
            "detail_url_name": self.url_name("detail"),
        }
        template = "web/_object_table.html" if partial else self.template_name
        return render(request, template, context)


class ObjectDetailView(ScopedViewMixin, View):
    template_name = "web/object_detail.html"
    fields: list[Column] = []

    def extra_context(self, obj) -> dict:
        return {}

    def reaches(self, obj, action) -> bool:
        """Whether the user may ``action`` this record, which they can see. A role without the action
        anywhere and one with it nationwide need no query (the record is in the page's own rows)."""
        scope = user_scope(self.request.user, action, self.model)
        if scope.is_empty or scope.everywhere:
            return scope.everywhere
        return restrict(self.base_queryset().filter(pk=obj.pk), self.request.user, action).exists()

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {
            **self.common_context(),
            "object": obj,
            "field_rows": [(col, col.value(obj)) for col in self.fields],
            "obj_can_change": self.reaches(obj, Action.CHANGE),
            "obj_can_delete": self.reaches(obj, Action.DELETE),
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

    def save(self, form):
        """Write the valid form inside the view's transaction and return the object. Domains
        override it to call their action (``<app>/actions.py``), which may raise ActionRefused."""
        return form.save()

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
                obj = self.save(form)
                # The saved row must still be inside the writer's reach, or nothing is kept.
                ensure_in_scope(request.user, action, obj)
        except PermissionDenied:
            form.add_error(None, _("You cannot save a record outside your org units."))
            return self.render_form(form, instance)
        except ActionRefused as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form, instance)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.url_name("detail"), args=[obj.pk]))


class ObjectDeleteView(ScopedViewMixin, View):
    template_name = "web/object_delete.html"
    action = Action.DELETE

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {**self.common_context(), "object": obj, "refusal": self.refusal(obj)}
        return render(request, self.template_name, context)

    def refusal(self, obj) -> ActionRefused | None:
        """Why the delete would be refused, to say so before the user confirms (None: it would not)."""
        return None

    def delete(self, obj) -> None:
        """Delete inside a transaction; domains override it to call their action."""
        obj.delete()

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        label = str(obj)
        try:
            with transaction.atomic():
                self.delete(obj)
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse(self.url_name("detail"), args=[obj.pk]))
        except ProtectedError:
            messages.error(
                request, _("“%(obj)s” cannot be deleted because other records refer to it.") % {"obj": label}
            )
            return HttpResponseRedirect(reverse(self.url_name("detail"), args=[obj.pk]))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": label})
        return HttpResponseRedirect(reverse(self.url_name("list")))


class ObjectActionView(ScopedViewMixin, View):
    """POST ``<pk>/do/<action>/``: take one lifecycle action on a record the user can see.

    A record out of reach is a 404. The domain action decides the rest; its refusal becomes an
    error message. An HTMX request gets back the partial of the actions now available (the
    buttons), any other request a redirect.
    """

    http_method_names = ["post"]
    lifecycle = None  # kernel.lifecycle.Lifecycle
    partial_template = "web/_actions.html"

    def perform(self, obj, action: str):
        """Call the domain action for ``action``; by default the lifecycle step itself."""
        return self.lifecycle.perform(obj, self.request.user, action, comment=self.request.POST.get("comment", ""))

    def done_message(self, obj, action: str, result) -> str:
        return _("Done.")

    def success_url(self, obj, action: str, result) -> str:
        return reverse(self.url_name("detail"), args=[obj.pk])

    def refused_url(self, obj, action: str) -> str:
        return reverse(self.url_name("detail"), args=[obj.pk])

    def post(self, request, *args, **kwargs):
        obj = self.get_object(Action.VIEW)
        action = self.kwargs["action"]
        result = None
        try:
            result = self.perform(obj, action)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.done_message(obj, action, result))
        if request.htmx:
            obj = self.scoped(Action.VIEW).filter(pk=obj.pk).first() or obj
            steps = self.lifecycle.available(obj, request.user) if self.lifecycle else []
            context = {
                "object": obj,
                "steps": steps,
                "allowed": {step.action for step in steps},
                "action_url_name": self.url_name("action"),
            }
            return render(request, self.partial_template, context)
        if result is None:
            return HttpResponseRedirect(self.refused_url(obj, action))
        return HttpResponseRedirect(self.success_url(obj, action, result))
