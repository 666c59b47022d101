from django.contrib import admin

from arrears.night.models import NightRun, StepRun


class StepRunInline(admin.TabularInline):
    model = StepRun
    fields = ("position", "step", "status", "started_at", "finished_at", "seconds", "attempts",
              "counts", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("position",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(NightRun)
class NightRunAdmin(admin.ModelAdmin):
    """The night's records, written only by ``arrears night``: shown, never edited."""

    list_display = ("as_of", "status", "started_at", "finished_at", "attempts")
    list_filter = ("status",)
    inlines = [StepRunInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StepRun)
class StepRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "position", "step", "status", "seconds", "attempts")
    list_filter = ("step", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
