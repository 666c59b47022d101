from django.contrib import admin

from arrears.ledger.models import CycleRun, Posting


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    """The ledger is append-only: the admin shows postings but never edits or deletes them."""

    list_display = ("external_id", "account", "kind", "amount_minor", "component",
                    "posting_date", "source")
    list_filter = ("kind", "source")
    search_fields = ("external_id", "account__external_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CycleRun)
class CycleRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "started_at", "finished_at", "accounts", "interest_postings",
                    "fee_postings")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
