"""Message templates, the outbox of messages to send, delivery receipts and the SMS simulator.

A ``Template`` row is one version of one template in one language: saving an edited template
writes a new row with the next version number and makes it the active one, so a message can
always say which wording it was sent with. An ``OutboxMessage`` is written in the same
transaction as the decision that wants it and sent later by the worker
(:func:`arrears.channels.worker.outbox_send`); its idempotency key makes it exist once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account, ContactPoint


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    CALL = "call", _("call")
    VISIT = "visit", _("field visit")


class TemplateChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    CALL_SCRIPT = "call_script", _("call script")
    VISIT_SCRIPT = "visit_script", _("visit script")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class Template(models.Model):
    """One version of a message template in one language (sandboxed Jinja2, merge fields only)."""

    code = models.CharField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=20, choices=TemplateChannel.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    requires_opt_out = models.BooleanField(
        _("requires opt-out text"),
        default=False,
        help_text=_("The body must tell the recipient how to opt out (e.g. US SMS and e-mail)."),
    )
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language", "version"], name="template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code", "language"],
                condition=models.Q(active=True),
                name="one_active_template_per_code_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.language} v{self.version}"

    def clean(self) -> None:
        from arrears.channels.templating import template_problems

        problems = template_problems(
            subject=self.subject, body=self.body, language=self.language,
            requires_opt_out=self.requires_opt_out,
        )
        if problems:
            raise ValidationError({"body": problems})


class OutboxMessage(models.Model):
    """A message (or task) to hand to a channel, written once per idempotency key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        BLOCKED = "blocked", _("blocked by the gate")
        UNKNOWN = "unknown", _("unknown (check by hand)")
        UNDELIVERABLE = "undeliverable", _("no address to send to")

    class Purpose(models.TextChoices):
        COLLECTION = "collection", _("collection")
        REMINDER = "reminder", _("reminder")
        CONTACT_REPAIR = "contact_repair", _("contact repair")
        OPT_OUT_CONFIRMATION = "opt_out_confirmation", _("opt-out confirmation")
        PAYMENT_HANDLING = "payment_handling", _("payment handling")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="outbox_messages")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(
        _("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.COLLECTION
    )
    template_code = models.CharField(_("template"), max_length=60)
    template_version = models.PositiveIntegerField(_("template version"), default=0)
    language = models.CharField(_("language"), max_length=10, default=Language.ZH_HANS)
    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("contact point"),
    )
    recipient = models.CharField(_("recipient"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    extra = models.JSONField(_("extra data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.QUEUED
    )
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    gateway_called_at = models.DateTimeField(_("handed to the gateway"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    gateway = models.CharField(_("gateway"), max_length=40, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=120, blank=True)
    gate_verdict = models.CharField(_("gate verdict"), max_length=10, blank=True)
    gate_rule_ids = models.JSONField(_("gate rules"), default=list, blank=True)
    gate_check_id = models.BigIntegerField(_("gate check"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["account", "created_at"], name="outbox_account"),
            models.Index(fields=["gateway", "provider_id"], name="outbox_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.channel} {self.status}"


class DeliveryReceipt(models.Model):
    """What a gateway reported later about a message it accepted (delivered, failed, …)."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, null=True, blank=True,
        related_name="receipts", verbose_name=_("message"),
    )
    gateway = models.CharField(_("gateway"), max_length=40, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=120)
    status = models.CharField(_("status"), max_length=40)
    at = models.DateTimeField(_("received"))
    raw = models.JSONField(_("raw receipt"), default=dict)

    class Meta:
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.status}"


class SimulatedSms(models.Model):
    """An SMS 'sent' by the built-in simulator gateway of the demo: shown, never delivered."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    to = models.CharField(_("to"), max_length=40)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=20, default="delivered")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated SMS")
        verbose_name_plural = _("simulated SMS")
        ordering = ["-id"]

    def __str__(self) -> str:
        """The gateway id, never the number: the text appears in page titles and logs."""
        return self.provider_id

    @property
    def provider_id(self) -> str:
        return f"sim-{self.pk}"
