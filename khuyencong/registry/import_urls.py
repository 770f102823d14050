"""Mounted by the project at ``/establishments/import/``."""

from django.urls import path

from khuyencong.registry import import_views

app_name = "registry_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("template/", import_views.template, name="template"),
    path("<uuid:pk>/", import_views.status, name="status"),
    path("<uuid:pk>/progress/", import_views.progress, name="progress"),
    path("<uuid:pk>/commit/", import_views.commit, name="commit"),
]
