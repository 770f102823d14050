from django.urls import path

from . import scorecards_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_page, name="index"),
    path("scorecards/", scorecards_views.scorecard_list, name="scorecards"),
    path("scorecards/export/", scorecards_views.scorecard_export, name="scorecard_export"),
    path("scorecards/unit/<str:code>/", scorecards_views.scorecard_unit, name="scorecard_unit"),
    path("scorecards/province/<str:code>/", scorecards_views.scorecard_province, name="scorecard_province"),
]
