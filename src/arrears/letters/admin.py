from django.contrib import admin

from arrears.letters.models import Letter, PrintBatch


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "language", "status", "pages", "print_batch",
                    "tracking_number", "posted_at", "created_at")
    list_filter = ("status", "language")
    search_fields = ("account__external_id", "tracking_number", "outbox_key")
    exclude = ("pdf",)
    readonly_fields = ("account", "outbox_key", "address_point", "print_batch")


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "letter_count", "status", "path")
