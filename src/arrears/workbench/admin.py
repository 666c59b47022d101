from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.access import policy
from arrears.workbench.access import teams_led_by
from arrears.workbench.models import Collector, Team


def _teams_within(user):
    """The teams whose seats ``user`` may change in the admin: every team for a superuser or
    a role that sees every account; otherwise (a team lead) only the teams they lead. A seat in
    a team is a reach into its accounts (and, for a team lead, a right to reveal them), so a
    team lead must not seat themselves or anyone in other teams, nor make a team of their
    own."""
    if user.is_superuser or policy.sees_every_account(user):
        return None
    return teams_led_by(user)


class _LimitedTeamChoices:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        teams = _teams_within(request.user)
        if db_field.name == "team" and teams is not None:
            kwargs["queryset"] = teams
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CollectorInline(_LimitedTeamChoices, admin.TabularInline):
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

    def get_queryset(self, request):
        teams = _teams_within(request.user)
        queryset = super().get_queryset(request)
        return queryset if teams is None else queryset.filter(pk__in=teams.values("pk"))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and _teams_within(request.user) is None

    @admin.display(description=_("name"), ordering="name")
    def shown_as(self, team: Team) -> str:
        """The name the pages show: the catalogue's for a known code, else as entered."""
        return team.label


@admin.register(Collector)
class CollectorAdmin(_LimitedTeamChoices, admin.ModelAdmin):
    list_display = ("user", "team", "daily_capacity", "languages", "regions", "buckets", "active")
    list_filter = ("team", "active")
    list_editable = ("daily_capacity", "active")
    search_fields = ("user__username", "team__name")

    def get_queryset(self, request):
        teams = _teams_within(request.user)
        queryset = super().get_queryset(request)
        return queryset if teams is None else queryset.filter(team__in=teams.values("pk"))
