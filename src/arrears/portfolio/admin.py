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


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0


class ThirdPartyContactInline(admin.TabularInline):
    model = ThirdPartyContact
    extra = 0


@admin.register(Cardholder)
class CardholderAdmin(admin.ModelAdmin):
    """Only users who may see personal data unmasked get the cardholder screens at all."""

    list_display = ("external_id", "language", "updated_at")
    search_fields = ("external_id",)
    inlines = [ContactPointInline, ThirdPartyContactInline]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "portfolio.view_unmasked_pii"
        )
