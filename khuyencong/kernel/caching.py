"""Keep signed-in content out of shared caches and the browser's disk cache."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every API response and every response to a signed-in
    user (pages, exports, downloads), so registry data does not linger on a shared office computer.

    Static files never reach this middleware (WhiteNoise answers them first), and anonymous pages keep
    whatever caching their view chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
