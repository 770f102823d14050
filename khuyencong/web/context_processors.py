"""Role-aware navigation: a menu entry shows only when the user may view what it leads to."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, can

# (label, url name, resource that must be viewable, or None for every signed-in user)
MENU = [
    (_("Home"), "home", None),
    (_("Establishments"), "registry:establishment_list", "registry.establishment"),
    (_("Craft villages"), "registry:craftvillage_list", "registry.craftvillage"),
    (_("Org units"), "organisation:orgunit_list", "organisation.orgunit"),
    (_("Jobs"), "jobs:job_list", None),
    (_("Change log"), "audit:objectchange_list", "audit.objectchange"),
    (_("API"), "api:openapi-view", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, resource in MENU:
        if resource is None or can(user, Action.VIEW, resource):
            url = reverse(url_name)
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    return {"nav_items": items}
