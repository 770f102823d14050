from django.urls import path

from khuyencong.projects import deadline_views

app_name = "deadlines"
urlpatterns = [
    path("", deadline_views.DeadlineListView.as_view(), name="list"),
    path("export/", deadline_views.DeadlineExportView.as_view(), name="export"),
]
