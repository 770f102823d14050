from django.contrib import admin

from khuyencong.audit.admin import ReadOnlyAdmin
from khuyencong.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "owner", "status", "progress", "created_at", "heartbeat_at", "finished_at"]
    list_filter = ["status", "kind"]
