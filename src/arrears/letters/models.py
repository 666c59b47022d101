"""Collection letters (催收函) and the print batches that take them to the print house.

A letter keeps its PDF in the database (``pdf``, a BinaryField): the PDF is a few kilobytes
(the Chinese font is a built-in CID font, not embedded), it is written in the same transaction
as the letter, it is backed up with the database and cannot drift from the row that describes
it. A print batch is a ZIP file under ``ARREARS_HOME/letters/`` because it leaves the system.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account, ContactPoint


class PrintBatch(models.Model):
    """The letters sent to the print house together: a ZIP with one PDF per letter and a
    manifest.csv listing them (all by registered mail, 挂号信)."""

    class Status(models.TextChoices):
        CREATED = "created", _("created")
        SENT = "sent", _("sent to the print house")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    path = models.CharField(_("ZIP file"), max_length=500)
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CREATED
    )

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return f"{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class Letter(models.Model):
    """One letter to one cardholder, addressed to the billing address as it was when the
    letter was rendered."""

    class Status(models.TextChoices):
        RENDERED = "rendered", _("rendered")
        BATCHED = "batched", _("batched for printing")
        POSTED = "posted", _("posted")
        RETURNED = "returned", _("returned")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="letters", verbose_name=_("account")
    )
    outbox_key = models.CharField(_("outbox idempotency key"), max_length=200, unique=True)
    language = models.CharField(_("language"), max_length=10)
    recipient_name = models.CharField(_("addressee"), max_length=200)
    address = models.CharField(_("address"), max_length=500)
    address_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("address contact point"),
    )
    template_code = models.CharField(_("template"), max_length=100, blank=True)
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    pdf = models.BinaryField(_("PDF"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    print_batch = models.ForeignKey(
        PrintBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("print batch"),
    )
    tracking_number = models.CharField(
        _("registered mail number"), max_length=40, null=True, blank=True, unique=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RENDERED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.account_id}"
