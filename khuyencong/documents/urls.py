from django.urls import path

from khuyencong.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.centre, name="generateddocument_list"),
    path("export/", views.DocumentExportView.as_view(), name="generateddocument_export"),
    path("new/<slug:kind>/", views.generate, name="generate"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/", views.detail, name="generateddocument_detail"),
    path("<int:pk>/<slug:fmt>/", views.download, name="download"),
]
