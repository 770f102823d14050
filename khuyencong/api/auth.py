from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from khuyencong.accounts.tokens import authenticate_token
from khuyencong.kernel import context


class BearerToken(HttpBearer):
    """Personal API token in ``Authorization: Bearer kc_…``; a bad token is a 401, never a fallback."""

    def authenticate(self, request, token):
        user = authenticate_token(token.strip())
        if user is None:
            raise AuthenticationError()
        request.user = user
        context.set_actor(user)  # the change log attributes API writes to the token's owner
        return user


class Session(SessionAuth):
    def authenticate(self, request, key):
        if request.headers.get("Authorization"):
            return None  # a request that presents a token is judged by the token alone
        user = super().authenticate(request, key)
        if user is None or isinstance(user, AnonymousUser):
            return None
        return user
