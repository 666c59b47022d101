from django.contrib import admin

from arrears.dialer.models import CallResult, CallTask, SkipTraceTask, VisitTask


@admin.register(CallTask)
class CallTaskAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "status", "priority", "due_from", "not_before",
                    "gate_verdict", "gate_rule_ids", "exported_at", "last_result")
    list_filter = ("status", "gate_verdict")
    search_fields = ("account__external_id", "outbox_key", "batch_id")
    raw_id_fields = ("account", "contact_point")


@admin.register(CallResult)
class CallResultAdmin(admin.ModelAdmin):
    list_display = ("task", "started_at", "result", "duration_seconds", "agent", "recording_ref")
    list_filter = ("result",)
    raw_id_fields = ("task",)


@admin.register(VisitTask)
class VisitTaskAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "scheduled_for", "status", "result", "gate_verdict",
                    "approved_by")
    list_filter = ("status", "result")
    raw_id_fields = ("account", "address_point", "approved_by")
    filter_horizontal = ("collectors",)


@admin.register(SkipTraceTask)
class SkipTraceTaskAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "contact_point", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("account", "contact_point", "created_by")
