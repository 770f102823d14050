"""Django Ninja answers a method a path does not offer with a plain-text 405 before any of our
handlers run; API clients get every error in the one JSON shape instead."""

from __future__ import annotations

from khuyencong.api.errors import error_response

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            shaped = error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here.",
                {"allowed": allowed},
            )
            if allowed:
                shaped["Allow"] = ", ".join(allowed)
            for header in ("Cache-Control", "Vary"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
