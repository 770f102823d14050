"""``{% page_sections "slot" object as html %}``: what other apps add to a page (kernel.sections)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from khuyencong.kernel import sections

register = template.Library()


@register.simple_tag(takes_context=True)
def page_sections(context, slot: str, obj):
    request = context.get("request")
    parts = []
    for provider in sections.providers(slot):
        found = provider(request, obj)
        if found is not None:
            template_name, extra = found
            parts.append(render_to_string(template_name, extra, request=request))
    return mark_safe("".join(parts))  # noqa: S308 (rendered templates, escaped by their own autoescape)
