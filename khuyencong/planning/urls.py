from django.urls import path

from khuyencong.planning import views

app_name = "planning"
V = "<int:pk>/versions/<int:version>"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="annualplan_list"),
    path("export/", views.PlanExportView.as_view(), name="annualplan_export"),
    path("new/", views.PlanCreateView.as_view(), name="annualplan_add"),
    path("local/", views.LocalPlanView.as_view(), name="local_plan"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="annualplan_detail"),
    path("<int:pk>/edit/", views.PlanEditView.as_view(), name="annualplan_edit"),
    path("<int:pk>/delete/", views.PlanDeleteView.as_view(), name="annualplan_delete"),
    path("<int:pk>/change/", views.StartChangeView.as_view(), name="start_change"),
    path("<int:pk>/close/", views.ClosePlanView.as_view(), name="close"),
    path(f"{V}/approve/", views.ApproveView.as_view(), name="approve"),
    path(f"{V}/draft/", views.DraftView.as_view(), name="draft"),
    path(f"{V}/discard/", views.DeleteDraftView.as_view(), name="discard"),
    path(f"{V}/lines/new/", views.LineView.as_view(), name="line_add"),
    path(f"{V}/lines/<int:line>/", views.LineView.as_view(), name="line_edit"),
    path(f"{V}/lines/<int:line>/delete/", views.LineDeleteView.as_view(), name="line_delete"),
    path(f"{V}/export/", views.LinesExportView.as_view(), name="lines_export"),
    path(f"{V}/import/", views.LinesImportView.as_view(), name="lines_import"),
    path("import-template/", views.LinesTemplateView.as_view(), name="lines_template"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/export/", views.ProgrammeExportView.as_view(), name="programme_export"),
    path("programmes/new/", views.ProgrammeEditView.as_view(), name="programme_add"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeEditView.as_view(), name="programme_edit"),
]
