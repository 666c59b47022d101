"""Admin: the authority matrix is edited here; arrangements are read-only (services write them)."""

from django.contrib import admin

from arrears.arrangements.models import (
    ApprovalRequest,
    AuthorityLimit,
    Plan,
    PlanInstalment,
    Promise,
    Waiver,
)


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ("group_name", "kind", "max_amount_minor", "max_share_of_balance",
                    "max_months")
    list_filter = ("group_name", "kind")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = PlanInstalment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin):
    list_display = ("account", "amount_minor", "due_date", "status", "taken_by", "taken_at")
    list_filter = ("status",)
    raw_id_fields = ("account",)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "months", "total_minor", "status", "proposed_by",
                    "approved_by")
    list_filter = ("kind", "status")
    raw_id_fields = ("account",)
    inlines = [InstalmentInline]


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "amount_minor", "settle_for_minor", "status",
                    "proposed_by", "approved_by")
    list_filter = ("kind", "status")
    raw_id_fields = ("account",)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("subject_type", "subject_id", "account", "authority_kind", "amount_minor",
                    "status", "requested_by", "decided_by")
    list_filter = ("status", "authority_kind")
    raw_id_fields = ("account",)
