"""Mounted by the project at ``/establishments/import/``."""

from khuyencong.registry.import_views import FLOW
from khuyencong.web.imports import urlpatterns as import_pages

app_name = "registry_import"
urlpatterns = import_pages(FLOW)
