from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.workbench.models import Collector, Team


class CollectorInline(admin.TabularInline):
    model = Collector
    extra = 0
    fields = ("user", "daily_capacity", "languages", "regions", "buckets", "active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("shown_as", "code", "channel", "routing_order", "buckets", "languages",
                    "regions")
    list_filter = ("channel",)
    search_fields = ("name",)
    inlines = [CollectorInline]

    @admin.display(description=_("name"), ordering="name")
    def shown_as(self, team: Team) -> str:
        """The name the pages show: the catalogue's for a known code, else as entered."""
        return team.label


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "daily_capacity", "languages", "regions", "buckets", "active")
    list_filter = ("team", "active")
    list_editable = ("daily_capacity", "active")
    search_fields = ("user__username", "team__name")
