from django.urls import path

from khuyencong.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("export/", views.OrgUnitExportView.as_view(), name="orgunit_export"),
    path("new/", views.OrgUnitEditView.as_view(), name="orgunit_add"),
    path("<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("<int:pk>/edit/", views.OrgUnitEditView.as_view(), name="orgunit_edit"),
    path("<int:pk>/delete/", views.OrgUnitDeleteView.as_view(), name="orgunit_delete"),
]
