from django.contrib import admin

from cityloop.appeals.models import Appeal


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through the services, which record every change."""

    list_display = ["tracking_code", "title", "status", "main_unit", "received_at"]
    list_filter = ["status", "channel", "urgency"]
    search_fields = ["tracking_code", "title"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
