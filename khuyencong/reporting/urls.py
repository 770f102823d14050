from django.urls import path

from khuyencong.reporting import form_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("export/", views.ReportExportView.as_view(), name="report_export"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("completeness/export/", views.CompletenessExportView.as_view(), name="completeness_export"),
    path("materialise/", views.MaterialiseView.as_view(), name="materialise"),
    path("forms/", form_views.FormListView.as_view(), name="form_list"),
    path("forms/new/", form_views.FormEditView.as_view(), name="form_create"),
    path("forms/<int:pk>/edit/", form_views.FormEditView.as_view(), name="form_edit"),
    path("forms/<int:pk>/assign/", form_views.AssignmentView.as_view(), name="form_assign"),
    path(
        "forms/<int:pk>/assignments/<int:assignment_pk>/", form_views.AssignmentView.as_view(), name="form_assignment"
    ),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:pk>/save/", views.ReportSaveView.as_view(), name="report_save"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="report_download"),
    path("<int:pk>/upload/", views.ReportUploadView.as_view(), name="report_upload"),
    path("<int:pk>/<slug:action>/", views.ReportStepView.as_view(), name="report_step"),
]
