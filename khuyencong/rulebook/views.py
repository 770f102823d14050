"""Pages of legal documents and the rulebook: thin adapters over selectors and actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from khuyencong.kernel.audit import log_access
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.permissions import WRITE_LOCAL, WRITE_NATIONAL
from khuyencong.rulebook import actions
from khuyencong.rulebook.filters import KIND_CHOICES, LegalDocumentFilters, RuleFilters
from khuyencong.rulebook.forms import LegalDocumentForm, rule_version_form
from khuyencong.rulebook.models import LegalDocument, Level, VersionedRule
from khuyencong.rulebook.selectors import (
    KIND_OF_MODEL,
    RULE_MODEL_BY_KIND,
    contents_in_force,
    legal_document_list,
    legal_documents,
    rule_kind,
    rule_list,
)
from khuyencong.rulebook.services import rules_resting_on, versions
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDetailView, ObjectListView


def may_write_somewhere(user, model) -> bool:
    return can(user, WRITE_NATIONAL, model) or can(user, WRITE_LOCAL, model)


def _may_change(user, obj) -> bool:
    level = getattr(obj, "level", Level.LOCAL if obj.province_id else Level.NATIONAL)
    return actions.may_write(user, type(obj), level=level, province=obj.province)


# --- legal documents ------------------------------------------------------------------------------


class LegalDocumentMixin:
    model = LegalDocument

    def base_queryset(self):
        return legal_documents()

    def scoped(self, action=None):
        # Public law: every role that may read it reads all of it (rulebook/selectors.py).
        if not can(self.request.user, Action.VIEW, self.model):
            raise PermissionDenied
        return self.base_queryset()

    def get_object(self, action=None):
        try:
            return self.scoped(action).get(pk=self.kwargs["pk"])
        except (LegalDocument.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def common_context(self):
        context = super().common_context()
        context["can_add"] = may_write_somewhere(self.request.user, self.model)
        return context


class LegalDocumentListView(LegalDocumentMixin, ObjectListView):
    columns = [
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("get_doc_type_display", gettext_lazy("Type"), sort="doc_type"),
        Column("title", gettext_lazy("Title")),
        Column("issuing_body", gettext_lazy("Issuing body")),
        Column("issued_on", gettext_lazy("Issue date"), sort="issued_on", filter="vndate"),
        Column("effective_from", gettext_lazy("Effective from"), sort="effective_from", filter="vndate"),
        Column("expires_on", gettext_lazy("Expiry date"), filter="vndate"),
    ]
    filterset = LegalDocumentFilters
    selector = staticmethod(legal_document_list)


class LegalDocumentExportView(LegalDocumentListView, ObjectExportView):
    export_columns = [
        *LegalDocumentListView.columns,
        Column("signer", gettext_lazy("Signer")),
        Column("get_field_display", gettext_lazy("Subject area")),
        Column("province", gettext_lazy("Province")),
        Column("replaces", gettext_lazy("Replaces")),
        Column("summary", gettext_lazy("Summary")),
        Column("to_confirm", gettext_lazy("To confirm")),
    ]


class LegalDocumentDetailView(LegalDocumentMixin, ObjectDetailView):
    template_name = "rulebook/legaldocument_detail.html"
    fields = [
        Column("get_doc_type_display", gettext_lazy("Type")),
        Column("title", gettext_lazy("Title")),
        Column("issuing_body", gettext_lazy("Issuing body")),
        Column("signer", gettext_lazy("Signer")),
        Column("issued_on", gettext_lazy("Issue date"), filter="vndate"),
        Column("effective_from", gettext_lazy("Effective from"), filter="vndate"),
        Column("expires_on", gettext_lazy("Expiry date"), filter="vndate"),
        Column("get_field_display", gettext_lazy("Subject area")),
        Column("province", gettext_lazy("Province")),
        Column("summary", gettext_lazy("Summary")),
    ]

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {
            **self.common_context(),
            "object": obj,
            "field_rows": [(col, col.value(obj)) for col in self.fields],
            "obj_can_change": _may_change(request.user, obj),
            "edit_url": reverse("rulebook:legaldocument_edit", args=[obj.pk]),
            "rules": [(rule, KIND_OF_MODEL[type(rule)]) for rule in rules_resting_on(obj)],
            "eligibility_rules": list(obj.eligibility_rules.order_by("effective_from")),
            "replaced_by": list(obj.replaced_by.all()),
            "amends": list(obj.amends.all()),
            "amended_by": list(obj.amended_by.all()),
            "contents": list(obj.activity_contents.order_by("number")),
            # Programmes and plan versions approved by this text, each within the reader's reach.
            "programmes": list(restrict(obj.programmes.all(), request.user, Action.VIEW)),
            "plan_versions": list(restrict(obj.plan_versions.select_related("plan"), request.user, Action.VIEW)),
        }
        return render(request, self.template_name, context)


class LegalDocumentEditView(LegalDocumentMixin, LoginRequiredMixin, View):
    template_name = "rulebook/form.html"

    def get_instance(self):
        if "pk" not in self.kwargs:
            if not may_write_somewhere(self.request.user, LegalDocument):
                raise PermissionDenied
            return None
        obj = self.get_object()
        if not _may_change(self.request.user, obj):
            raise PermissionDenied
        return obj

    def render_form(self, form, instance):
        title = _("Edit %(what)s") % {"what": instance} if instance else _("Add a legal document")
        context = {
            "form": form,
            "object": instance,
            "title": title,
            "cancel_url": reverse("rulebook:legaldocument_list"),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(LegalDocumentForm(instance=instance, user=request.user), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = LegalDocumentForm(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            values = dict(form.cleaned_data)
            amends = list(values.pop("amends") or [])
            upload = values.pop("file", None)
            if upload is False:
                values["file"] = ""  # "clear" ticked
            elif upload:
                values["file"] = upload  # a new file, or the one it has
            try:
                obj = actions.save_legal_document(user=request.user, values=values, amends=amends, instance=instance)
            except ActionRefused as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
                return HttpResponseRedirect(reverse("rulebook:legaldocument_detail", args=[obj.pk]))
        return self.render_form(form, instance)


class LegalDocumentFileView(LegalDocumentMixin, LoginRequiredMixin, View):
    """The document's file, logged as a download."""

    def get(self, request, pk):
        obj = self.get_object()
        if not obj.file:
            raise Http404
        log_access(request.user, "download", "rulebook.legaldocument", {"id": obj.pk, "file": obj.file.name})
        return FileResponse(obj.file.open("rb"), as_attachment=True, filename=obj.file.name.rsplit("/", 1)[-1])


# --- the rulebook -------------------------------------------------------------------------------


def _kind_or_404(kind: str) -> type[VersionedRule]:
    if kind not in RULE_MODEL_BY_KIND:
        raise Http404
    return RULE_MODEL_BY_KIND[kind]


class RulebookView(LoginRequiredMixin, View):
    """The rules in force on a chosen date, grouped by activity content."""

    template_name = "rulebook/rulebook.html"

    def get(self, request):
        if not can(request.user, Action.VIEW, RULE_MODEL_BY_KIND["norm"]):
            raise PermissionDenied
        data = request.GET.copy()
        data.setdefault("on", timezone.localdate().strftime("%d/%m/%Y"))
        spec = RuleFilters(data, user=request.user)
        kind = rule_kind(spec)
        spec.is_valid()
        on = spec.cleaned_data.get("on") or timezone.localdate()
        rows = list(rule_list(user=request.user, filters=spec))
        model = RULE_MODEL_BY_KIND[kind]
        groups = []
        if hasattr(model, "contents"):
            chosen = spec.cleaned_data.get("content")
            for content in [chosen] if chosen else contents_in_force(on):
                listed = [r for r in rows if any(c.pk == content.pk for c in r.contents.all())]
                if listed:
                    groups.append((content, listed))
            every = [r for r in rows if not r.contents.all()]
            if every:
                groups.append((None, every))
        else:
            groups.append((None, rows))
        context = {
            "filter_form": spec,
            "kind": kind,
            "kinds": KIND_CHOICES,
            "on": on,
            "groups": groups,
            "count": len(rows),
            "can_write": may_write_somewhere(request.user, model),
        }
        template = "rulebook/_rules.html" if request.htmx and not request.htmx.boosted else self.template_name
        return render(request, template, context)


class RuleDetailView(LoginRequiredMixin, View):
    template_name = "rulebook/rule_detail.html"

    def get(self, request, kind, pk):
        model = _kind_or_404(kind)
        if not can(request.user, Action.VIEW, model):
            raise PermissionDenied
        rule = model.objects.select_related("legal_document", "province").filter(pk=pk).first()
        if rule is None:
            raise Http404
        history = versions(rule)
        today = timezone.localdate()
        context = {
            "rule": rule,
            "kind": kind,
            "meta": model._meta,
            "history": history,
            "in_force": next((v for v in history if v.in_force_on(today)), None),
            "can_write": _may_change(request.user, rule),
            "changeable": actions.refusal_to_change(rule) is None,
            "contents": list(rule.contents.all()) if hasattr(rule, "contents") else [],
            "provinces": list(rule.applies_to_provinces.all()) if kind == "deadline" else [],
            "today": today,
        }
        return render(request, self.template_name, context)


class RuleVersionEditView(LoginRequiredMixin, View):
    """``new/`` (optionally ``?from=<pk>`` to start from a version) or ``<pk>/edit/``."""

    template_name = "rulebook/form.html"

    def setup_view(self, kind, pk=None):
        model = _kind_or_404(kind)
        user = self.request.user
        instance = None
        if pk is not None:
            instance = model.objects.filter(pk=pk).first()
            if instance is None:
                raise Http404
            if not _may_change(user, instance):
                raise PermissionDenied
        elif not may_write_somewhere(user, model):
            raise PermissionDenied
        return model, instance

    def initial(self, model):
        source = model.objects.filter(pk=self.request.GET.get("from") or 0).first()
        if source is None:
            return {"effective_from": timezone.localdate() + dt.timedelta(days=1)}
        initial = {
            name: getattr(source, name) for name in actions.COMMON_FIELDS | actions.RULE_FIELDS[kind_name(model)]
        }
        initial |= {"effective_from": None, "effective_to": None, "legal_document": None}
        for name, value in initial.items():
            if isinstance(value, Decimal):  # 30.00 -> 30, 1.50 -> 1,5 on the form
                initial[name] = int(value) if value == value.to_integral_value() else value.normalize()
        if hasattr(source, "contents"):
            initial["contents"] = list(source.contents.values_list("pk", flat=True))
        return initial

    def render_form(self, form, model, instance):
        if instance is not None:
            title = _("Correct %(what)s") % {"what": instance}
        else:
            title = _("New version: %(what)s") % {"what": model._meta.verbose_name}
        context = {
            "form": form,
            "object": instance,
            "title": title,
            "cancel_url": reverse("rulebook:rulebook") + f"?kind={self.kwargs['kind']}",
            "intro": _(
                "A new version supersedes the one in force: that one ends the day before this one starts. "
                "A version in force is never edited."
            ),
        }
        return render(self.request, self.template_name, context)

    def refused(self, kind, instance):
        """A version in force is never edited: say so on its page instead of offering a form."""
        refusal = actions.refusal_to_change(instance) if instance is not None else None
        if refusal is None:
            return None
        messages.error(self.request, refusal.message)
        return HttpResponseRedirect(reverse("rulebook:rule_detail", args=[kind, instance.pk]))

    def get(self, request, kind, pk=None):
        model, instance = self.setup_view(kind, pk)
        if refused := self.refused(kind, instance):
            return refused
        form_class = rule_version_form(model)
        form = form_class(instance=instance, initial=None if instance else self.initial(model), user=request.user)
        return self.render_form(form, model, instance)

    def post(self, request, kind, pk=None):
        model, instance = self.setup_view(kind, pk)
        if refused := self.refused(kind, instance):
            return refused
        form = rule_version_form(model)(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            contents = list(form.cleaned_data["contents"]) if "contents" in form.cleaned_data else None
            provinces = form.cleaned_data.get("applies_to_provinces")
            provinces = list(provinces) if provinces is not None else None
            try:
                if instance is None:
                    rule = actions.add_rule_version(
                        user=request.user, rule_type=model, values=form.values(), contents=contents, provinces=provinces
                    )
                else:
                    rule = actions.change_rule_version(
                        user=request.user, rule=instance, values=form.values(), contents=contents, provinces=provinces
                    )
            except ActionRefused as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": rule})
                return HttpResponseRedirect(reverse("rulebook:rule_detail", args=[kind, rule.pk]))
        return self.render_form(form, model, instance)


def kind_name(model) -> str:
    return str(model._meta.model_name)


class RuleVersionDeleteView(LoginRequiredMixin, View):
    template_name = "web/object_delete.html"

    def setup_view(self, kind, pk):
        model = _kind_or_404(kind)
        rule = model.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
        if not _may_change(self.request.user, rule):
            raise PermissionDenied
        return rule

    def get(self, request, kind, pk):
        rule = self.setup_view(kind, pk)
        context = {
            "object": rule,
            "refusal": actions.refusal_to_change(rule),
            "list_url": reverse("rulebook:rule_detail", args=[kind, pk]),
        }
        return render(request, self.template_name, context)

    def post(self, request, kind, pk):
        rule = self.setup_view(kind, pk)
        label = str(rule)
        try:
            actions.delete_rule_version(user=request.user, rule=rule)
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("rulebook:rule_detail", args=[kind, pk]))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": label})
        return HttpResponseRedirect(reverse("rulebook:rulebook") + f"?kind={kind}")
