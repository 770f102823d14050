from django.urls import path

from khuyencong.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("<int:pk>/", views.ObjectChangeDetailView.as_view(), name="objectchange_detail"),
    path(
        "history/<str:app_label>/<str:model_name>/<str:object_id>/",
        views.ObjectHistoryView.as_view(),
        name="object_history",
    ),
]
