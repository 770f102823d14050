from __future__ import annotations

import logging
import sys

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from khuyencong.api.errors import RETRY_AFTER_SECONDS, database_unavailable, error_response

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("health: database unreachable")
        return False


def _queue_ok() -> bool:
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.pending_count()
        return True
    except Exception:
        logger.exception("health: job queue unreachable")
        return False


@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "job_queue": _queue_ok()}
    healthy = all(checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@never_cache
def readyz(request):
    """Ready to take traffic: the database answers and migrations are applied."""
    from django.db.migrations.executor import MigrationExecutor

    if not _database_ok():
        return JsonResponse({"status": "error", "checks": {"database": False}}, status=503)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    ready = not pending
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": {"database": True, "migrations": ready}},
        status=200 if ready else 503,
    )


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_403(request, exception=None):
    if _wants_json(request):
        return error_response(403, "forbidden", "You are not allowed to do this.")
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    if _wants_json(request):
        return error_response(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


def error_500(request):
    # Django calls this inside its except block, so the exception is still at hand: a database
    # that is restarting or unreachable is a temporary 503 with Retry-After, not a server fault.
    if database_unavailable(sys.exc_info()[1]):
        if _wants_json(request):
            response = error_response(
                503, "unavailable", "The database is not reachable at the moment; please retry in a few seconds."
            )
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    if _wants_json(request):
        return error_response(500, "server_error", "An unexpected error occurred; it has been logged.")
    return render(request, "500.html", status=500)


def error_400(request, exception=None):
    if _wants_json(request):
        return error_response(400, "bad_request", "The request is not valid.")
    return render(request, "400.html", status=400)
