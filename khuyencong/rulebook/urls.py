from django.urls import path

from khuyencong.rulebook import views

app_name = "rulebook"
urlpatterns = [
    path("legal-documents/", views.LegalDocumentListView.as_view(), name="legaldocument_list"),
    path("legal-documents/export/", views.LegalDocumentExportView.as_view(), name="legaldocument_export"),
    path("legal-documents/new/", views.LegalDocumentEditView.as_view(), name="legaldocument_add"),
    path("legal-documents/<int:pk>/", views.LegalDocumentDetailView.as_view(), name="legaldocument_detail"),
    path("legal-documents/<int:pk>/edit/", views.LegalDocumentEditView.as_view(), name="legaldocument_edit"),
    path("legal-documents/<int:pk>/file/", views.LegalDocumentFileView.as_view(), name="legaldocument_file"),
    path("rules/", views.RulebookView.as_view(), name="rulebook"),
    path("rules/<slug:kind>/new/", views.RuleVersionEditView.as_view(), name="rule_add"),
    path("rules/<slug:kind>/<int:pk>/", views.RuleDetailView.as_view(), name="rule_detail"),
    path("rules/<slug:kind>/<int:pk>/edit/", views.RuleVersionEditView.as_view(), name="rule_edit"),
    path("rules/<slug:kind>/<int:pk>/delete/", views.RuleVersionDeleteView.as_view(), name="rule_delete"),
]
