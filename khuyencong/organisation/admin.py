from django.contrib import admin

from khuyencong.accounts.admin import UserAdmin
from khuyencong.accounts.models import User
from khuyencong.audit.admin import ChangeLoggedAdmin
from khuyencong.organisation.models import OrgUnit, RoleAssignment


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["org_unit"]


# Accounts is identity only; the user page shows the roles from here, the app that owns them.
admin.site.unregister(User)


@admin.register(User)
class UserWithRolesAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(ChangeLoggedAdmin):
    list_display = ["code", "name", "kind", "province", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "folded_name"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["province", "commune"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ChangeLoggedAdmin):
    list_display = ["user", "role", "org_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "org_unit__name"]
    autocomplete_fields = ["org_unit", "user"]
