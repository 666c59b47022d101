"""Admin: templates are edited here (every save is a new version); the outbox is read-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.channels.models import DeliveryReceipt, OutboxMessage, SimulatedSms, Template
from arrears.channels.services import template_save
from arrears.channels.templating import MERGE_FIELDS


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ("code", "channel", "language", "subject", "body", "requires_opt_out", "note")
        help_texts = {
            "code": _("Short name that strategies and the outbox use, e.g. reminder_m1. The "
                      "same code in another language is a translation."),
            "subject": _("For e-mails and letters; may use the merge fields below."),
            "requires_opt_out": _("Tick for messages that must tell the debtor how to stop "
                                  "them (the compliance check then looks for it)."),
            "note": _("Why this version: kept with it and in the audit trail."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" not in self.fields:  # a user who may only read the template
            return
        fields = "; ".join(f"{{{{ {name} }}}} {label}" for name, label in MERGE_FIELDS.items())
        self.fields["body"].help_text = _("Merge fields: %(fields)s. Saving makes a new "
                                          "version; the old one is kept.") % {"fields": fields}

    def validate_unique(self):
        """Version numbers and the active flag are set by ``template_save``, not by the form."""


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ("code", "language", "channel", "version", "active", "created_by", "created_at")
    list_filter = ("channel", "language", "active")
    search_fields = ("code", "subject", "body")
    readonly_fields = ("version", "active", "created_by", "created_at")
    fields = ("code", "channel", "language", "subject", "body", "requires_opt_out", "note",
              "version", "active", "created_by", "created_at")

    def save_model(self, request, obj, form, change):
        """Never edit a version in place: the form's content becomes the next version."""
        saved = template_save(
            code=obj.code, language=obj.language, channel=obj.channel, subject=obj.subject,
            body=obj.body, requires_opt_out=obj.requires_opt_out, actor=request.user,
            note=obj.note,
        )
        obj.pk, obj.version, obj.active = saved.pk, saved.version, saved.active
        obj.created_by, obj.created_at = saved.created_by, saved.created_at

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "channel", "template_code", "status", "attempts",
                    "gate_verdict", "not_before", "sent_at", "created_at")
    list_filter = ("status", "channel", "purpose", "gateway")
    search_fields = ("idempotency_key", "account__external_id", "provider_id")
    raw_id_fields = ("account", "contact_point")


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdmin):
    list_display = ("provider_id", "gateway", "status", "at", "message")
    list_filter = ("status", "gateway")
    raw_id_fields = ("message",)


@admin.register(SimulatedSms)
class SimulatedSmsAdmin(ReadOnlyAdmin):
    list_display = ("id", "to", "status", "created_at")
