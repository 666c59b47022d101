"""Call tasks for the dialer, field-visit tasks and skip-trace tasks.

A task is made from an outbox message (channels "call" and "visit") or by hand; it never
contacts anyone by itself: the dialer export and the visit creation ask the compliance gate
first and store the answer's id on the task.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account, ContactPoint


class SkipTraceTask(models.Model):
    """A number or address found dead or wrong: someone has to find a new way to reach the
    cardholder (修复联系方式). One open task per contact point and reason."""

    class Reason(models.TextChoices):
        WRONG_NUMBER = "wrong_number", _("wrong number")
        DISCONNECTED = "disconnected", _("number disconnected")
        MOVED = "moved", _("moved away")
        RETURNED_MAIL = "returned_mail", _("letter returned")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        FOUND = "found", _("new contact found")
        CLOSED = "closed", _("closed without result")

    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="skip_trace_tasks",
        verbose_name=_("account"),
    )
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skip_trace_tasks",
        verbose_name=_("contact point"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("skip-trace task")
        verbose_name_plural = _("skip-trace tasks")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.reason}"
