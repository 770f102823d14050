"""Web-layer middleware: NUL rejection and the language rule (Vietnamese unless the person picked
another language with the switch)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

from khuyencong.web.views import error_400


class RejectNulMiddleware:
    """A NUL character in the path or query string is never legitimate, and PostgreSQL refuses it
    in text parameters: answer 400 up front instead of failing deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return error_400(request)
        return self.get_response(request)


class LanguageMiddleware(MiddlewareMixin):
    """Activate the language the signed-in person chose (kept on their account), else the one
    chosen with the switch in this browser (its cookie), else ``LANGUAGE_CODE``.

    Unlike Django's ``LocaleMiddleware`` this ignores the browser's ``Accept-Language``: an office
    PC set up in English must still get the Vietnamese system from the login page on.
    """

    def process_request(self, request):
        languages = dict(settings.LANGUAGES)
        chosen = self.account_language(request) or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    @staticmethod
    def account_language(request) -> str:
        """The signed-in person's choice. The user is loaded the way the authentication middleware
        loads it (and cached on the request for it), so this costs no extra query."""
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return ""
        user = get_user(request)
        return getattr(user, "language", "") if user.is_authenticated else ""

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
