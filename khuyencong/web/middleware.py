from __future__ import annotations

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
