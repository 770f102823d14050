"""``{% contracts_section project %}``: the project page's Contracts section, with its context
from ``contracts.sections.contracts_context(project, user)`` for the signed-in user."""

from __future__ import annotations

from django import template

from khuyencong.contracts.sections import contracts_context

register = template.Library()


@register.inclusion_tag("contracts/_project_section_body.html", takes_context=True)
def contracts_section(context, project):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return contracts_context(project, user)
