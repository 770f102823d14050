from django.urls import include, path

from khuyencong.finance import views
from khuyencong.web.imports import urlpatterns as import_pages

app_name = "finance"
urlpatterns = [
    path("allocations/", views.AllocationListView.as_view(), name="allocation_list"),
    path("allocations/export/", views.AllocationExportView.as_view(), name="allocation_export"),
    path("allocations/new/", views.AllocateView.as_view(), name="allocation_add"),
    path("allocations/import/", include((import_pages(views.ALLOCATION_IMPORT), "allocation_import"))),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation_detail"),
    path("ledger/", views.LedgerListView.as_view(), name="ledger_list"),
    path("ledger/export/", views.LedgerExportView.as_view(), name="ledger_export"),
    path("ledger/queue/", views.LedgerQueueView.as_view(), name="ledger_queue"),
    path("ledger/import/", include((import_pages(views.LEDGER_IMPORT), "ledger_import"))),
    path("ledger/<int:pk>/", views.LedgerDetailView.as_view(), name="ledger_detail"),
    path("ledger/<int:pk>/<slug:decision>/", views.LedgerDecideView.as_view(), name="ledger_decide"),
    path("projects/<int:pk>/request/", views.RequestPaymentView.as_view(), name="request_payment"),
]
