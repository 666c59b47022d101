from django.contrib import admin

from arrears.audit.models import AuditEvent, ExportRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Can be read and searched, never changed from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "at", "actor_label", "action", "object_type", "object_id",
                    "purpose")
    list_filter = ("action", "object_type", "purpose")
    search_fields = ("actor_label", "object_id", "action")
    readonly_fields = ("sequence", "at", "actor", "actor_label", "action", "object_type",
                       "object_id", "purpose", "client", "details", "prev_hash", "hash")


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnlyAdmin):
    """Exports are asked for and approved on the audit page, where the four-eyes rule runs."""

    list_display = ("created_at", "kind", "record_count", "requester", "approver", "status")
    list_filter = ("status", "kind")
