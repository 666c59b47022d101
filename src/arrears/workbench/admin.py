from django.contrib import admin

from arrears.workbench.models import Collector, Team


class CollectorInline(admin.TabularInline):
    model = Collector
    extra = 0
    fields = ("user", "daily_capacity", "languages", "regions", "buckets", "active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "routing_order", "buckets", "languages", "regions")
    list_filter = ("channel",)
    search_fields = ("name",)
    inlines = [CollectorInline]


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "daily_capacity", "languages", "regions", "buckets", "active")
    list_filter = ("team", "active")
    list_editable = ("daily_capacity", "active")
    search_fields = ("user__username", "team__name")
