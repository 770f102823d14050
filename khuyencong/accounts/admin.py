from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from khuyencong.accounts.models import ApiToken, User
from khuyencong.audit.admin import ChangeLoggedAdmin


@admin.register(User)
class UserAdmin(ChangeLoggedAdmin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Khuyến công", {"fields": ("full_name", "title", "phone")}))
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]


@admin.register(ApiToken)
class ApiTokenAdmin(ChangeLoggedAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["prefix", "user__username", "name"]
