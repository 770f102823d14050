from django.urls import include, path

from khuyencong.projects import views_list
from khuyencong.web.imports import urlpatterns as import_pages

app_name = "projects"


urlpatterns = [
    path("", views_list.ProjectListView.as_view(), name="list"),
    path("export/", views_list.ProjectExportView.as_view(), name="export"),
    path("board/", views_list.ProjectBoardView.as_view(), name="board"),
    # Until the project page (views.py) lands here: keep that one on merge and drop this line.
    path("<int:pk>/", views_list.ProjectSummaryView.as_view(), name="detail"),
    # The generic import flow (upload, template, status, progress, commit) as ``projects:import:<page>``.
    path("import/", include((import_pages(views_list.IMPORT_FLOW), "import"))),
]
