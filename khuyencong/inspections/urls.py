from django.urls import path

from khuyencong.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.MissionListView.as_view(), name="inspectionmission_list"),
    path("export/", views.MissionExportView.as_view(), name="inspectionmission_export"),
    path("new/", views.MissionEditView.as_view(), name="inspectionmission_add"),
    path("plans/new/", views.PlanCreateView.as_view(), name="inspectionplan_add"),
    path("<int:pk>/", views.MissionDetailView.as_view(), name="inspectionmission_detail"),
    path("<int:pk>/edit/", views.MissionEditView.as_view(), name="inspectionmission_edit"),
    path("<int:pk>/delete/", views.MissionDeleteView.as_view(), name="inspectionmission_delete"),
    path("<int:pk>/step/<slug:action>/", views.MissionStepView.as_view(), name="inspectionmission_step"),
    path("<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_add"),
    path("<int:pk>/visits/<int:visit>/remove/", views.VisitRemoveView.as_view(), name="visit_remove"),
    path("<int:pk>/findings/new/", views.FindingCreateView.as_view(), name="finding_add"),
    path("<int:pk>/findings/<int:finding>/follow-ups/new/", views.FollowUpCreateView.as_view(), name="followup_add"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/export/", views.FollowUpExportView.as_view(), name="followup_export"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/<slug:action>/", views.FollowUpStepView.as_view(), name="followup_step"),
]
