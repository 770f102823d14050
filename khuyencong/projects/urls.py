from django.urls import include, path

from khuyencong.kernel.scoping import Action
from khuyencong.projects import views, views_list
from khuyencong.registry.models import Establishment
from khuyencong.registry.picker import CommuneSuggestView
from khuyencong.web.imports import urlpatterns as import_pages

app_name = "projects"
urlpatterns = [
    path("", views_list.ProjectListView.as_view(), name="list"),
    path("export/", views_list.ProjectExportView.as_view(), name="export"),
    path("board/", views_list.ProjectBoardView.as_view(), name="board"),
    # The generic import flow (upload, template, status, progress, commit) as ``projects:import:<page>``.
    path("import/", include((import_pages(views_list.IMPORT_FLOW), "import"))),
    path("new/", views.ProjectEditView.as_view(), name="create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.DeleteView.as_view(), name="delete"),
    path("<int:pk>/beneficiaries/", views.BeneficiariesView.as_view(), name="beneficiaries"),
    path("<int:pk>/steps/<slug:action>/", views.StepView.as_view(), name="step"),
    path("establishments/suggest/", views.EstablishmentSuggestView.as_view(), name="establishment_suggest"),
    path(
        "communes/suggest/",
        CommuneSuggestView.as_view(model=Establishment, reach_action=Action.VIEW),
        name="commune_suggest",
    ),
]
