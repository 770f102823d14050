from django.urls import path

from khuyencong.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("export/", views.ReportExportView.as_view(), name="report_export"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("completeness/export/", views.CompletenessExportView.as_view(), name="completeness_export"),
    path("materialise/", views.MaterialiseView.as_view(), name="materialise"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:pk>/save/", views.ReportSaveView.as_view(), name="report_save"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="report_download"),
    path("<int:pk>/upload/", views.ReportUploadView.as_view(), name="report_upload"),
    path("<int:pk>/<slug:action>/", views.ReportStepView.as_view(), name="report_step"),
]
