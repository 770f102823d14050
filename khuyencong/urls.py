from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

from khuyencong import dashboard
from khuyencong.accounts import views as accounts_views
from khuyencong.api_root import api
from khuyencong.web import views as web_views

# The Django admin speaks for the system, not for Django ("Trang quản trị cho Django").
admin.site.site_header = _("Khuyến công system administration")
admin.site.site_title = _("Khuyến công administration")
admin.site.index_title = _("Administration")


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico before reading the page's icon link; no 404 for them."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("kc/favicon.svg")  # resolved per request: the manifest exists by then


urlpatterns = [
    path("", dashboard.home, name="home"),
    path("favicon.ico", FaviconView.as_view()),
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("org-units/", include("khuyencong.organisation.urls")),
    path("users/", include("khuyencong.organisation.user_urls")),
    path("establishments/import/", include("khuyencong.registry.import_urls")),
    path("establishments/", include("khuyencong.registry.urls")),
    path("rulebook/", include("khuyencong.rulebook.urls")),
    path("plans/", include("khuyencong.planning.urls")),
    path("adjustments/", include("khuyencong.adjustments.urls")),
    path("contracts/", include("khuyencong.contracts.urls")),
    path("finance/settlements/", include("khuyencong.finance.urls_settlement")),
    path("finance/", include("khuyencong.finance.urls")),
    path("councils/", include("khuyencong.appraisal.urls")),
    path("inspections/", include("khuyencong.inspections.urls")),
    path("dashboards/", include("khuyencong.dashboards.urls")),
    path("finance/rollup/", include("khuyencong.finance.urls_rollup")),
    path("reports/", include("khuyencong.reporting.urls")),
    path("documents/", include("khuyencong.documents.urls")),
    path("projects/deadlines/", include("khuyencong.projects.deadline_urls")),
    path("projects/", include("khuyencong.projects.urls")),
    path("jobs/", include("khuyencong.jobs.urls")),
    path("files/", include("khuyencong.attachments.urls")),
    path("notifications/", include("khuyencong.notifications.urls")),
    path("audit/", include("khuyencong.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Unknown API paths get the JSON 404 for any method, even with DEBUG on (no HTML technical page).
    re_path(r"^api/", csrf_exempt(web_views.error_404)),
]

handler400 = "khuyencong.web.views.error_400"
handler403 = "khuyencong.web.views.error_403"
handler404 = "khuyencong.web.views.error_404"
handler500 = "khuyencong.web.views.error_500"
