from django.urls import path

from khuyencong.finance import views_rollup

app_name = "rollup"
urlpatterns = [
    path("", views_rollup.RollupView.as_view(), name="page"),
    path("export/", views_rollup.RollupExportView.as_view(), name="export"),
]
