from django.urls import path

from khuyencong.registry import own_views, picker, views
from khuyencong.registry.models import CraftVillage, Establishment

app_name = "registry"
urlpatterns = [
    path("", views.EstablishmentListView.as_view(), name="establishment_list"),
    path("export/", views.EstablishmentExportView.as_view(), name="establishment_export"),
    path("new/", views.EstablishmentEditView.as_view(), name="establishment_add"),
    path("communes/", picker.CommuneSuggestView.as_view(model=Establishment), name="establishment_commune_suggest"),
    path(
        "craft-villages/communes/",
        picker.CommuneSuggestView.as_view(model=CraftVillage),
        name="craftvillage_commune_suggest",
    ),
    path("craft-villages/suggest/", picker.VillageSuggestView.as_view(), name="craftvillage_suggest"),
    path("duplicates/", views.DuplicateQueueView.as_view(), name="duplicate_queue"),
    path(
        "duplicates/<int:pk>/do/<slug:action>/", views.DuplicateActionView.as_view(), name="duplicatecandidate_action"
    ),
    path("mine/", own_views.OwnEstablishmentView.as_view(), name="own_establishment"),
    path("mine/<int:pk>/edit/", own_views.OwnEstablishmentEditView.as_view(), name="own_establishment_edit"),
    path("<int:pk>/", views.EstablishmentDetailView.as_view(), name="establishment_detail"),
    path("<int:pk>/edit/", views.EstablishmentEditView.as_view(), name="establishment_edit"),
    path("<int:pk>/delete/", views.EstablishmentDeleteView.as_view(), name="establishment_delete"),
    path("craft-villages/", views.CraftVillageListView.as_view(), name="craftvillage_list"),
    path("craft-villages/export/", views.CraftVillageExportView.as_view(), name="craftvillage_export"),
    path("craft-villages/new/", views.CraftVillageEditView.as_view(), name="craftvillage_add"),
    path("craft-villages/<int:pk>/", views.CraftVillageDetailView.as_view(), name="craftvillage_detail"),
    path("craft-villages/<int:pk>/edit/", views.CraftVillageEditView.as_view(), name="craftvillage_edit"),
    path("craft-villages/<int:pk>/delete/", views.CraftVillageDeleteView.as_view(), name="craftvillage_delete"),
]
