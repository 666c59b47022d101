"""Admin of the card system's master data. Cardholders, their contact points and third-party
contacts come from the card system through imports: read-only here for everyone, their
personal data masked (``arrears.web.personal_data``)."""

from django.contrib import admin

from arrears.portfolio.models import (
    Account,
    Cardholder,
    ContactPoint,
    Product,
    Statement,
    ThirdPartyContact,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "currency", "time_zone", "daily_interest_rate",
                    "min_payment_rate", "late_fee_rate")
    search_fields = ("code", "name")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("external_id", "product", "status", "credit_limit_minor", "open_date")
    list_filter = ("status", "product")
    search_fields = ("external_id", "cardholder__external_id")
    raw_id_fields = ("cardholder",)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("external_id", "account", "cycle_date", "due_date",
                    "statement_balance_minor", "minimum_due_minor")
    search_fields = ("external_id", "account__external_id")
    raw_id_fields = ("account",)

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContactPointInline(ReadOnlyInline):
    model = ContactPoint


class ThirdPartyContactInline(ReadOnlyInline):
    model = ThirdPartyContact


@admin.register(Cardholder)
class CardholderAdmin(admin.ModelAdmin):
    """Read-only for everyone (changes come through imports). Only users who may see personal
    data get the cardholder screens at all, and they see it masked unless they reveal it."""

    list_display = ("external_id", "name", "language", "updated_at")
    search_fields = ("external_id",)
    inlines = [ContactPointInline, ThirdPartyContactInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "portfolio.view_unmasked_pii"
        )
