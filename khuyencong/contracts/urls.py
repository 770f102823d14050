from django.urls import path

from khuyencong.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("export/", views.ContractExportView.as_view(), name="contract_export"),
    path("new/", views.ContractCreateView.as_view(), name="contract_add"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractStepView.as_view(), name="contract_edit"),
    path("<int:pk>/delete/", views.ContractDeleteView.as_view(), name="contract_delete"),
    path("<int:pk>/<slug:action>/", views.ContractStepView.as_view(), name="contract_step"),
]
