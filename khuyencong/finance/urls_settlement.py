"""/finance/settlements/: the settlement list, its export, one settlement, and the acceptance and
settlement forms the project page opens."""

from django.urls import path

from khuyencong.finance import views_settlement as views

app_name = "settlements"

urlpatterns = [
    path("", views.SettlementListView.as_view(), name="settlement_list"),
    path("export/", views.SettlementExportView.as_view(), name="settlement_export"),
    path("<int:pk>/", views.SettlementDetailView.as_view(), name="settlement_detail"),
    path("<int:pk>/step/<slug:action>/", views.SettlementStepView.as_view(), name="step"),
    path("lines/<int:pk>/accept/", views.AcceptLineView.as_view(), name="accept_line"),
    path("projects/<int:pk>/submit/", views.SubmitDossierView.as_view(), name="submit"),
    path("projects/<int:pk>/from-acceptance/", views.FromAcceptanceView.as_view(), name="from_acceptance"),
    path("projects/<int:pk>/dossier.docx", views.DossierView.as_view(), name="dossier"),
]
