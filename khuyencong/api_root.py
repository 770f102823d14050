"""The REST API's composition root (django-ninja, under /api/v1/): every domain app contributes a
router from its ``api.py``; ``khuyencong.api`` holds only the framework (errors, auth, pagination)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from khuyencong.adjustments.api import router as adjustments_router
from khuyencong.api import errors, schema
from khuyencong.api.auth import BearerToken, Session
from khuyencong.appraisal.api import router as appraisal_router
from khuyencong.attachments.api import router as attachments_router
from khuyencong.contracts.api import router as contracts_router
from khuyencong.dashboards.api import router as dashboards_router
from khuyencong.dashboards.scorecards_api import router as scorecards_router
from khuyencong.documents.api import router as documents_router
from khuyencong.finance.api import router as finance_router
from khuyencong.finance.api_rollup import router as finance_rollup_router
from khuyencong.finance.api_settlement import router as settlement_router
from khuyencong.inspections.api import router as inspections_router
from khuyencong.notifications.api import router as notifications_router
from khuyencong.organisation.api import me_router
from khuyencong.organisation.api import router as organisation_router
from khuyencong.planning.api import router as planning_router
from khuyencong.projects.api import router as projects_router
from khuyencong.projects.deadlines_api import router as deadlines_router
from khuyencong.registry.api import router as registry_router
from khuyencong.reporting.api import router as reporting_router
from khuyencong.rulebook.api import router as rulebook_router
from khuyencong.territory.api import router as territory_router


class ReadableJSONRenderer(JSONRenderer):
    # Vietnamese stays readable in responses instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Khuyến công API",
        version="1",
        description="REST API of the khuyến công (industrial extension) programme system.",
        urls_namespace="api",
        renderer=ReadableJSONRenderer(),
        auth=[BearerToken(), Session()],
        docs_url="/docs",
        docs_decorator=login_required,
        openapi_url="/openapi.json",
    )
    errors.install(api)
    schema.install(api)
    api.add_router("/", me_router)
    api.add_router("/org-units", organisation_router)
    api.add_router("/geo", territory_router)
    api.add_router("/", registry_router)
    api.add_router("/", rulebook_router)
    api.add_router("/", planning_router)
    api.add_router("/", adjustments_router)
    api.add_router("/", contracts_router)
    api.add_router("/", appraisal_router)
    api.add_router("/", inspections_router)
    api.add_router("/", projects_router)
    api.add_router("/", attachments_router)
    api.add_router("/", notifications_router)
    api.add_router("/", deadlines_router)
    api.add_router("/", settlement_router)
    api.add_router("/", dashboards_router)
    api.add_router("/", scorecards_router)
    api.add_router("/", finance_router)
    api.add_router("/", finance_rollup_router)
    api.add_router("/", reporting_router)
    api.add_router("/", documents_router)
    return api


api = build_api()
