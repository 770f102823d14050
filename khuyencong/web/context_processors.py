"""Role-aware navigation: a menu entry shows only when the user may view what it leads to."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, can, user_scope

# An establishment's own account reads its record with this action (registry.selectors.VIEW_OWN).
VIEW_OWN = "view_own"

# (label, url name, resource that must be viewable, or None for every signed-in user, group)
# Entries of a group sit under one drop-down; a group with a single entry the user may see is a
# plain link, so the bar stays on one line on an office screen.
REGISTRY, PLANNING, LAW, ADMIN = _("Establishments & villages"), _("Planning"), _("Law & rules"), _("Administration")
PROJECTS = _("Projects")
FINANCE = _("Finance")
REPORTS = _("Reports")
MENU = [
    (_("Home"), "home", None, None),
    (_("Dashboards"), "dashboards:index", "projects.project", None),
    (_("My establishment"), "registry:own_establishment", ("registry.establishment", VIEW_OWN), None),
    (_("Establishments"), "registry:establishment_list", "registry.establishment", REGISTRY),
    (_("Craft villages"), "registry:craftvillage_list", "registry.craftvillage", REGISTRY),
    (_("Programmes"), "planning:programme_list", "planning.programme", PLANNING),
    (_("Annual plans"), "planning:annualplan_list", "planning.annualplan", PLANNING),
    (_("Money rollup"), "rollup:page", "finance.ledgerentry", PLANNING),
    (_("Project list"), "projects:list", "projects.project", PROJECTS),
    (_("New project"), "projects:create", ("projects.project", Action.ADD), PROJECTS),
    (_("Due and overdue"), "deadlines:list", "projects.project", PROJECTS),
    (_("Appraisal councils"), "appraisal:council_list", "appraisal.council", PROJECTS),
    (_("Contracts"), "contracts:contract_list", "contracts.contract", PROJECTS),
    (_("Adjustments awaiting"), "adjustments:awaiting", "adjustments.adjustment", PROJECTS),
    (_("Inspection missions"), "inspections:inspectionmission_list", "inspections.inspectionmission", PROJECTS),
    (_("Follow-ups"), "inspections:followup_list", "inspections.followup", PROJECTS),
    (_("Allocations"), "finance:allocation_list", "finance.allocation", FINANCE),
    (_("Ledger"), "finance:ledger_list", "finance.ledgerentry", FINANCE),
    (_("Payments to approve"), "finance:ledger_queue", ("finance.ledgerentry", "approve_any"), FINANCE),
    (_("Settlements"), "settlements:settlement_list", "finance.settlement", FINANCE),
    (_("Periodic reports"), "reporting:report_list", "reporting.report", REPORTS),
    (_("Report completeness"), "reporting:completeness", "reporting.report", REPORTS),
    (_("Documents & reports"), "documents:generateddocument_list", "documents.generateddocument", REPORTS),
    (_("Legal documents"), "rulebook:legaldocument_list", "rulebook.legaldocument", LAW),
    (_("Rulebook"), "rulebook:rulebook", "rulebook.spendingnorm", LAW),
    (_("Org units"), "organisation:orgunit_list", "organisation.orgunit", ADMIN),
    (_("Users"), "users:user_list", "accounts.user", ADMIN),
    (_("Jobs"), "jobs:job_list", None, ADMIN),
    (_("Change log"), "audit:objectchange_list", "audit.objectchange", ADMIN),
]
# The API documentation is for developers: it sits in the user menu, not here.


def _shown(user, resource) -> bool:
    if resource is None:
        return True
    if resource == ("finance.ledgerentry", "approve_any"):
        # The queue of payments to approve: for approvers of national or local payments.
        return can(user, "approve_payment", resource[0]) or can(user, "approve_payment_local", resource[0])
    if isinstance(resource, tuple) and resource[1] != VIEW_OWN:
        return can(user, resource[1], resource[0])  # e.g. "New project" for those who may add one
    if isinstance(resource, tuple):
        # An own-record entry: for people acting for a unit (a nationwide reach owns no record).
        scope = user_scope(user, resource[1], resource[0])
        return not scope.everywhere and bool(scope.org_unit_ids)
    return can(user, Action.VIEW, resource)


@lru_cache(maxsize=256)
def _menu_url(url_name: str, script_prefix: str, urlconf: str) -> str:
    """A menu entry's address: the same for every request of a process with the same prefix and URL map."""
    return reverse(url_name, urlconf=urlconf)


def navigation(request):
    """The menu, computed only when a template reads it (an HTMX partial never does)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    menu = SimpleLazyObject(lambda: _menu(request, user))
    return {
        "nav_items": SimpleLazyObject(lambda: menu["items"]),
        "nav_entries": SimpleLazyObject(lambda: menu["entries"]),
    }


def _menu(request, user) -> dict:
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    items = [
        {"label": label, "url": _menu_url(url_name, prefix, urlconf), "active": False, "group": group}
        for label, url_name, resource, group in MENU
        if _shown(user, resource)
    ]
    # One entry is active: the one whose address is the longest prefix of the page's
    # (/establishments/craft-villages/ is "Craft villages", not also "Establishments").
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"items": items, "entries": _grouped(items)}


def _grouped(items: list[dict]) -> list[dict]:
    """The bar's entries: a link, or a drop-down holding a group's links (in MENU order)."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        group = item["group"]
        if group is None:
            entries.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
        else:
            groups[group] = {"label": group, "children": [item]}
            entries.append(groups[group])
    for entry in entries:
        children = entry.get("children")
        if children is not None:
            entry["active"] = any(child["active"] for child in children)
    return [entry["children"][0] if len(entry.get("children", ())) == 1 else entry for entry in entries]
