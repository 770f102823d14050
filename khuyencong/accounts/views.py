"""The language switch: Django's ``set_language`` (the cookie, the redirect) plus, for a signed-in
person, the choice kept on their account so it follows them to every browser."""

from __future__ import annotations

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from khuyencong.accounts import actions


@require_POST
def set_language(request):
    response = django_set_language(request)
    if request.user.is_authenticated:
        actions.choose_language(user=request.user, language=request.POST.get("language", ""))
    return response
