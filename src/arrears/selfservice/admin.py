"""Admin: payment intents and code requests, read-only (services write them); no token or
code hash is ever shown."""

from django.contrib import admin

from arrears.selfservice.models import LoginChallenge, PaymentIntent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "provider", "account", "amount_minor", "currency", "status",
                    "callbacks", "created_at", "completed_at")
    list_filter = ("status", "provider")
    search_fields = ("reference", "account__external_id", "posting_external_id")
    raw_id_fields = ("account",)


@admin.register(LoginChallenge)
class LoginChallengeAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "via", "created_at", "expires_at", "attempts", "locked",
                    "used_at")
    list_filter = ("via", "locked")
    exclude = ("handle_hash", "code_hash")
    raw_id_fields = ("account",)
