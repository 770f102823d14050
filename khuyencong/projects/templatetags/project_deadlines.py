"""``{% project_due project as items %}``: what is due on a project (its page's deadlines panel)."""

from django import template

from khuyencong.projects.deadlines import due_for

register = template.Library()


@register.simple_tag
def project_due(project):
    return due_for(project)
