from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from khuyencong import dashboard
from khuyencong.api_root import api
from khuyencong.web import views as web_views

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org-units/", include("khuyencong.organisation.urls")),
    path("establishments/import/", include("khuyencong.registry.import_urls")),
    path("establishments/", include("khuyencong.registry.urls")),
    path("jobs/", include("khuyencong.jobs.urls")),
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
