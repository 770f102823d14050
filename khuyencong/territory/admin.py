from django.contrib import admin

from khuyencong.audit.admin import ReadOnlyAdmin
from khuyencong.territory.models import Commune, District, Province, Region


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "unit_type", "valid_from", "valid_to", "successor"]
    list_filter = ["unit_type"]
    search_fields = ["code", "name", "folded_name"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "unit_type", "province", "valid_to", "successor"]
    list_filter = ["unit_type"]
    search_fields = ["code", "folded_name"]
    list_select_related = ["province", "successor"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "code", "name"]
