from django.urls import path

from khuyencong.appraisal import views

app_name = "appraisal"
P = "<int:pk>/projects/<int:project>"
urlpatterns = [
    path("", views.CouncilListView.as_view(), name="council_list"),
    path("export/", views.CouncilExportView.as_view(), name="council_export"),
    path("new/", views.CouncilEditView.as_view(), name="council_add"),
    path("lists/national/<int:year>/", views.NationalListView.as_view(), name="national_list"),
    path("lists/<str:province>/<int:year>/", views.ProvinceListView.as_view(), name="province_list"),
    path("<int:pk>/", views.CouncilDetailView.as_view(), name="council_detail"),
    path("<int:pk>/edit/", views.CouncilEditView.as_view(), name="council_edit"),
    path("<int:pk>/delete/", views.CouncilDeleteView.as_view(), name="council_delete"),
    path("<int:pk>/members/", views.MembersView.as_view(), name="members"),
    path("<int:pk>/criteria/", views.CriteriaView.as_view(), name="criteria"),
    path("<int:pk>/projects/add/", views.AddProjectsView.as_view(), name="add_projects"),
    path("<int:pk>/conclude/", views.ConcludeCouncilView.as_view(), name="conclude"),
    path(f"{P}/remove/", views.RemoveProjectView.as_view(), name="remove_project"),
    path(f"{P}/conclude/", views.ConcludeProjectView.as_view(), name="conclude_project"),
    path(f"{P}/sheets/<int:member>/", views.SheetView.as_view(), name="sheet"),
]
