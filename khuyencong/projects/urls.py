from django.urls import path

from khuyencong.kernel.scoping import Action
from khuyencong.projects import views
from khuyencong.registry.models import Establishment
from khuyencong.registry.picker import CommuneSuggestView

app_name = "projects"
urlpatterns = [
    # The list page with filters, export and import lives in views_list.py (the lists part of
    # issue 10); this placeholder keeps ``projects:list`` working until it lands.
    path("", views.ProjectIndexView.as_view(), name="list"),
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
