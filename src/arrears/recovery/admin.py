"""The agency register in the admin: agencies with their commission plan (tiers and levels),
the users of each agency; batches and placements to read (they change through the services,
which ask the gate and write the audit trail)."""

from django.contrib import admin

from arrears.recovery.models import (
    Agency,
    AgencyMember,
    CommissionLevel,
    CommissionTier,
    Placement,
    PlacementBatch,
    PlacementExtension,
    PlacementRefusal,
)


class CommissionTierInline(admin.TabularInline):
    model = CommissionTier
    extra = 0
    show_change_link = True


class CommissionLevelInline(admin.TabularInline):
    model = CommissionLevel
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "status", "contract_from", "contract_until",
                    "last_inspection_on", "capacity", "window_days")
    list_filter = ("status",)
    search_fields = ("code", "name")
    inlines = [CommissionTierInline]


@admin.register(CommissionTier)
class CommissionTierAdmin(admin.ModelAdmin):
    list_display = ("agency", "position", "bucket", "balance_from_minor", "balance_to_minor")
    list_filter = ("agency",)
    inlines = [CommissionLevelInline]


@admin.register(AgencyMember)
class AgencyMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "agency")
    list_filter = ("agency",)
    raw_id_fields = ("user",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write: read here, never added or changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlacementBatch)
class PlacementBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "as_of", "source", "seed", "candidates", "placed", "refused",
                    "created_by", "created_at")
    list_filter = ("source",)


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "agency", "bucket", "balance_minor", "placed_on", "due_on",
                    "status", "ended_on")
    list_filter = ("status", "agency")
    search_fields = ("account__external_id",)
    raw_id_fields = ("account", "batch", "tier")


@admin.register(PlacementRefusal)
class PlacementRefusalAdmin(ReadOnlyAdmin):
    list_display = ("id", "batch", "account", "agency", "reason", "rule_ids")
    list_filter = ("reason",)
    raw_id_fields = ("account", "batch")


@admin.register(PlacementExtension)
class PlacementExtensionAdmin(ReadOnlyAdmin):
    list_display = ("placement", "days", "due_before", "due_after", "actor", "at")
    raw_id_fields = ("placement",)
