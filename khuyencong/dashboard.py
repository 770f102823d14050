"""The home page: the top floor, where pages that read from several domains live (``web`` is the
generic views framework and imports no domain app)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from khuyencong.organisation.services import home_context


@login_required
def home(request):
    return render(request, "web/home.html", home_context(request.user))
