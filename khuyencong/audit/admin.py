from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render

from khuyencong.audit.models import AccessLog, ObjectChange


class ChangeLoggedAdmin(admin.ModelAdmin):
    """Admin base whose "History" page shows our change log (before/after, user, request id)."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=str(obj.pk)
        )[:500]
        return render(
            request,
            "audit/object_history.html",
            {"changes": changes, "content_type": ContentType.objects.get_for_model(self.model), "object_id": obj.pk},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ["time", "user_name", "action", "content_type", "object_repr", "request_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "user_name", "request_id", "object_id"]
    date_hierarchy = "time"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["time", "user_name", "kind", "target", "row_count"]
    list_filter = ["kind"]
    search_fields = ["target", "user_name"]
