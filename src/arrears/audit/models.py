"""An append-only, hash-chained trail of who saw and did what (COMPLIANCE.md b.5).

Each event carries a gap-free ``sequence`` number, the ``prev_hash`` of the event before it
and its own ``hash`` (SHA-256 over its canonical JSON and ``prev_hash``), so removing,
reordering or editing any event breaks the chain and ``audit_verify()`` says where.
The model refuses updates and deletes; on PostgreSQL a trigger refuses them too.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("Audit events are append-only; they cannot be updated.")

    def delete(self):
        raise AuditImmutable("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(_("sequence"), unique=True, null=True, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_label = models.CharField(
        _("actor"), max_length=150, help_text=_("User name, or the system process.")
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    purpose = models.CharField(_("purpose code"), max_length=30, blank=True)
    client = models.CharField(_("client"), max_length=100, blank=True,
                              help_text=_("IP address of the request, or the command."))
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-sequence"]
        permissions = [
            ("reveal_pii", _("Can reveal personal data with a purpose code")),
            ("export_data", _("Can request exports of personal data and the audit trail")),
            ("approve_export", _("Can approve another user's export")),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("Audit events are append-only; they cannot be deleted.")


class AuditChainHead(models.Model):
    """The one row that says where the chain ends. Writers lock it (SELECT … FOR UPDATE) so
    two transactions can never both append after the same event."""

    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class ExportRequest(models.Model):
    """An export of personal data or of the audit trail, approved by a second person (four
    eyes) before it may run, and run once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        DONE = "done", _("exported")

    kind = models.CharField(_("kind"), max_length=40)
    record_count = models.PositiveIntegerField(_("records"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_requests"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="export_approvals",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    note = models.CharField(_("approver's note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} ×{self.record_count} ({self.status})"
