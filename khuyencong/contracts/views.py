"""The contract pages: thin adapters over ``selectors`` (reads) and ``actions`` (writes)."""

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

from khuyencong.contracts import actions, sections, selectors
from khuyencong.contracts.filters import ContractFilters
from khuyencong.contracts.forms import (
    AmendForm,
    ChooseProjectForm,
    ContractForm,
    LiquidateForm,
    SignForm,
    TerminateForm,
)
from khuyencong.contracts.models import Contract, ContractKind, ContractState
from khuyencong.contracts.selectors import amendments_of, contract_history, contract_list, contracts
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.money import format_vnd
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.projects.models import Project
from khuyencong.web.exports import ObjectExportView
from khuyencong.web.generic import Column, ObjectDeleteView, ObjectDetailView, ObjectListView


class ContractMixin:
    model = Contract

    def base_queryset(self):
        return contracts()


COLUMNS = [
    Column("number", gettext_lazy("Contract number"), sort="number", link=True),
    Column("project.code", gettext_lazy("Project")),
    Column("get_kind_display", gettext_lazy("Kind")),
    Column("party_b", gettext_lazy("Party B")),
    Column("value", gettext_lazy("Value (đồng)"), sort="value", filter="vnd"),
    Column("signed_on", gettext_lazy("Signed on"), sort="signed_on", filter="vndate"),
    Column("end_date", gettext_lazy("End date"), filter="vndate"),
    Column("get_state_display", gettext_lazy("State"), sort="state"),
]


class ContractListView(ContractMixin, ObjectListView):
    columns = COLUMNS
    filterset = ContractFilters
    selector = staticmethod(contract_list)


class ContractExportView(ContractListView, ObjectExportView):
    export_columns = [
        *COLUMNS[:2],
        Column("project.name", gettext_lazy("Project name")),
        Column("project.year", gettext_lazy("Plan year")),
        Column("project.province", gettext_lazy("Province")),
        *COLUMNS[2:4],
        Column("party_a", gettext_lazy("Party A")),
        *COLUMNS[4:7],
        Column("deadline", gettext_lazy("Completion deadline"), filter="vndate"),
        COLUMNS[7],
    ]


class ContractDetailView(ContractMixin, ObjectDetailView):
    template_name = "contracts/contract_detail.html"
    fields = [
        Column("project", gettext_lazy("Project")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("party_a", gettext_lazy("Party A")),
        Column("party_b", gettext_lazy("Party B")),
        Column("value", gettext_lazy("Value (đồng)"), filter="vnd"),
        Column("signed_on", gettext_lazy("Signed on"), filter="vndate"),
        Column("start_date", gettext_lazy("Start date"), filter="vndate"),
        Column("end_date", gettext_lazy("End date"), filter="vndate"),
        Column("deadline", gettext_lazy("Completion deadline"), filter="vndate"),
        Column("subject", gettext_lazy("Subject")),
        Column("get_state_display", gettext_lazy("State")),
        Column("liquidation_number", gettext_lazy("Liquidation record number")),
        Column("liquidated_on", gettext_lazy("Liquidated on"), filter="vndate"),
    ]

    def extra_context(self, obj):
        user = self.request.user
        draft = obj.state == "draft"
        return {
            "obj_can_change": draft and actions.may_write(user, obj, Action.CHANGE),
            "obj_can_delete": draft and actions.may_write(user, obj, Action.DELETE),
            "money": sections.money_of(obj),
            "amendments": list(amendments_of(obj)),
            "history": _labelled(contract_history(obj)),
            "steps": actions.available_steps(obj, user),
            "project_contracts_url": reverse("contracts:contract_list") + f"?project={obj.project.code}",
        }


def _labelled(transitions):
    labels = dict(ContractState.choices)
    rows = list(transitions)
    for row in rows:
        row.to_state_label = labels.get(row.to_state, row.to_state)
    return rows


class ContractDeleteView(ContractMixin, ObjectDeleteView):
    def get_object(self, action=None):
        obj = super().get_object(action)
        if not actions.may_write(self.request.user, obj, Action.DELETE):
            raise PermissionDenied  # the kind of contract is another role's
        return obj

    def refusal(self, obj):
        if obj.state != "draft" or obj.transitions.exists():
            return ActionRefused(
                "in_use", _("Only a draft that was never signed can be deleted; terminate it instead.")
            )
        return None

    def delete(self, obj):
        actions.delete_contract(user=self.request.user, contract=obj)


def _form_errors(form, exc: ActionRefused) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _render_form(request, form, *, title, cancel_url, obj=None, confirm="", danger=False, method="post"):
    context = {
        "form": form,
        "title": title,
        "object": obj,
        "cancel_url": cancel_url,
        "confirm": confirm,
        "danger": danger,
        "form_id": "contract-form",
        "method": method,
    }
    return render(request, "contracts/form.html", context)


class ContractCreateView(LoginRequiredMixin, View):
    """``new/?project=<id>&kind=main|support``: the draft's form; without a project, a first step
    choosing the project and the kind."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, Action.ADD, Contract):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def project(self) -> Project | None:
        raw = self.request.GET.get("project", "")
        if not raw:
            return None
        try:
            return restrict(Project.objects.select_related("province"), self.request.user, Action.VIEW).get(pk=int(raw))
        except (ValueError, OverflowError, Project.DoesNotExist):
            raise Http404 from None

    def kind(self) -> str:
        kind = self.request.GET.get("kind") or self.request.POST.get("kind") or ContractKind.MAIN
        return kind if kind in ContractKind.values else ContractKind.MAIN

    def form(self, project):
        initial = {}
        if self.kind() == ContractKind.MAIN:
            initial["value"] = project.approved_support
        return ContractForm(self.request.POST or None, project=project, kind=self.kind(), initial=initial)

    def render_form(self, project, form):
        title = _("New contract")
        cancel = reverse("contracts:contract_list")
        if project is None:
            return _render_form(self.request, form, title=title, cancel_url=cancel, method="get")
        confirm = _("%(kind)s of project %(code)s – %(name)s; approved support %(amount)s.") % {
            "kind": ContractKind(self.kind()).label,
            "code": project.code,
            "name": project.name,
            "amount": sections.vnd(project.approved_support),
        }
        return _render_form(self.request, form, title=title, cancel_url=cancel, confirm=confirm)

    def allowed(self, project) -> None:
        if not actions.may_draft(self.request.user, project, self.kind()):
            raise PermissionDenied

    def get(self, request):
        project = self.project()
        if project is None:
            choose = ChooseProjectForm(request.GET or None, user=request.user, initial={"kind": self.kind()})
            return self.render_form(None, choose)
        self.allowed(project)
        return self.render_form(project, self.form(project))

    def post(self, request):
        project = self.project()
        if project is None:
            raise Http404
        self.allowed(project)
        form = self.form(project)
        if form.is_valid():
            data = dict(form.cleaned_data)
            values = {name: data.get(name) for name in actions.CONTRACT_FIELDS}
            values["value"] = values["value"] or 0
            values["subject"] = values["subject"] or ""
            try:
                contract = actions.save_contract(
                    user=request.user,
                    project=project,
                    kind=self.kind(),
                    beneficiary=data.get("beneficiary"),
                    values=values,
                )
            except ActionRefused as exc:
                if exc.status == 403:
                    raise PermissionDenied from None
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": contract})
                return HttpResponseRedirect(reverse("contracts:contract_detail", args=[contract.pk]))
        return self.render_form(project, form)


class ContractStepView(LoginRequiredMixin, View):
    """A form taking one action on a contract the user can see: edit (a draft), sign, amend,
    terminate, liquidate. The contract's ``version`` travels in the form: a stale one is refused."""

    titles = {
        "edit": gettext_lazy("Edit the draft contract"),
        "sign": gettext_lazy("Sign the contract"),
        "amend": gettext_lazy("Add an amendment"),
        "terminate": gettext_lazy("Terminate the contract"),
        "liquidate": gettext_lazy("Liquidate the contract"),
    }
    forms = {"sign": SignForm, "amend": AmendForm, "terminate": TerminateForm, "liquidate": LiquidateForm}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, Action.VIEW, Contract):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def contract(self) -> Contract:
        try:
            return restrict(contracts(), self.request.user, Action.VIEW).get(pk=self.kwargs["pk"])
        except (Contract.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None

    def action(self) -> str:
        action = self.kwargs.get("action", "edit")
        if action not in self.titles:
            raise Http404
        return action

    def allowed(self, contract, action) -> bool:
        if action == "edit":
            return contract.state == "draft" and actions.may_write(self.request.user, contract)
        return actions.CONTRACT_LIFECYCLE.refusal(contract, self.request.user, action) is None

    def form(self, contract, action):
        data = self.request.POST or None
        if action == "edit":
            initial = {name: getattr(contract, name) for name in actions.CONTRACT_FIELDS}
            return ContractForm(data, initial=initial)
        initial: dict = {}
        today = timezone.localdate()
        if action == "sign":
            initial = {"signed_on": contract.signed_on or today}
        elif action in ("terminate", "liquidate"):
            initial = {"on": today, "liquidated_on": today}
        return self.forms[action](data, initial=initial)

    def seen(self, contract) -> int:
        try:
            return int(self.request.POST.get("version", contract.version))
        except ValueError:
            return contract.version

    def render_form(self, contract, action, form):
        confirm = ""
        if action == "sign" and contract.kind == ContractKind.MAIN and contract.project.state == "approved":
            confirm = _("Signing the main contract moves the project to “Contracted” on the signature's date.")
        response = _render_form(
            self.request,
            form,
            title=self.titles[action],
            obj=contract,
            cancel_url=reverse("contracts:contract_detail", args=[contract.pk]),
            confirm=confirm,
            danger=action == "terminate",
        )
        return response

    def get(self, request, pk, action="edit"):
        contract = self.contract()
        action = self.action()
        if not self.allowed(contract, action):
            raise PermissionDenied
        return self.render_form(contract, action, self.form(contract, action))

    def post(self, request, pk, action="edit"):
        contract = self.contract()
        action = self.action()
        if not self.allowed(contract, action):
            raise PermissionDenied
        form = self.form(contract, action)
        if form.is_valid():
            try:
                self.perform(contract, action, form.cleaned_data)
            except ActionRefused as exc:
                if exc.status in (403, 404) and not exc.field:
                    raise PermissionDenied if exc.status == 403 else Http404 from None
                if exc.code in ("stale", "state_changed"):
                    form.add_error(None, exc.message)
                else:
                    _form_errors(form, exc)
            else:
                messages.success(request, _("Done."))
                overrun = selectors.plan_line_overrun(contract.project) if contract.kind == ContractKind.MAIN else None
                if overrun is not None:
                    messages.warning(
                        request,
                        _("The main contracts funded from plan line %(line)s now add up to %(total)s, "
                          "%(over)s more than the line's %(amount)s.")
                        % {"line": overrun["line"], "total": format_vnd(overrun["total"]),
                           "over": format_vnd(overrun["over"]), "amount": format_vnd(overrun["amount"])},
                    )  # fmt: skip
                return HttpResponseRedirect(reverse("contracts:contract_detail", args=[contract.pk]))
        return self.render_form(contract, action, form)

    def perform(self, contract, action, data):
        user = self.request.user
        version = self.seen(contract)
        if action == "edit":
            values = {name: data.get(name) for name in actions.CONTRACT_FIELDS}
            values["value"] = values["value"] or 0
            values["subject"] = values["subject"] or ""
            return actions.save_contract(user=user, instance=contract, values=values, version=version)
        if action == "sign":
            return actions.sign_contract(user=user, contract=contract, signed_on=data["signed_on"],
                                         comment=data["comment"], version=version)  # fmt: skip
        if action == "amend":
            return actions.amend_contract(
                user=user, contract=contract, number=data["number"], signed_on=data["signed_on"],
                reason=data["reason"], new_value=data["new_value"], new_end_date=data["new_end_date"],
                version=version,
            )  # fmt: skip
        if action == "terminate":
            return actions.terminate_contract(user=user, contract=contract, comment=data["comment"],
                                              on=data["on"], version=version)  # fmt: skip
        return actions.liquidate_contract(
            user=user, contract=contract, liquidation_number=data["liquidation_number"],
            liquidated_on=data["liquidated_on"], comment=data["comment"], version=version,
        )  # fmt: skip
