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


class GateFields(models.Model):
    """The last compliance-gate answer for a task: the stored check's id, its verdict and the
    rules that decided (a reference to ``compliance.GateCheck`` by id, not a foreign key)."""

    gate_check_id = models.BigIntegerField(_("gate check"), null=True, blank=True)
    gate_verdict = models.CharField(_("gate verdict"), max_length=10, blank=True)
    gate_rule_ids = models.CharField(_("gate rules"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def gate_answer_store(self, answer) -> None:
        self.gate_check_id = getattr(answer, "check_id", None)
        self.gate_verdict = answer.verdict
        self.gate_rule_ids = ",".join(answer.rule_ids)


class CallTask(GateFields):
    """One number to call for one account: queued until the export asks the gate, then
    exported to the dialer; done when its result comes back."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        EXPORTED = "exported", _("exported to the dialer")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        BLOCKED = "blocked", _("blocked by the gate")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="call_tasks", verbose_name=_("account")
    )
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="call_tasks",
        verbose_name=_("phone contact point"),
    )
    phone = models.CharField(_("phone (E.164)"), max_length=20)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=50, help_text=_("0 is called first.")
    )
    script_code = models.CharField(_("script"), max_length=100, blank=True)
    due_from = models.DateTimeField(_("due from"))
    due_until = models.DateTimeField(_("due until"))
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    outbox_key = models.CharField(
        _("outbox idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    batch_id = models.CharField(_("export batch"), max_length=40, blank=True)
    last_result = models.CharField(_("last result"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        indexes = [models.Index(fields=["status", "priority", "due_from"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.account_id}"


class CallResult(models.Model):
    """One dial attempt reported by the dialer. Unique per task and start time, so importing
    the same results file twice records each call once."""

    class Result(models.TextChoices):
        NO_ANSWER = "no_answer", _("no answer")
        NOT_CONNECTED = "not_connected", _("not connected")
        BUSY = "busy", _("busy")
        VOICEMAIL = "voicemail", _("voicemail")
        RIGHT_PARTY = "right_party", _("right party")
        THIRD_PARTY = "third_party", _("third party")
        WRONG_NUMBER = "wrong_number", _("wrong number")
        DISCONNECTED = "disconnected", _("disconnected")
        REFUSED = "refused", _("refused")

    task = models.ForeignKey(
        CallTask, on_delete=models.PROTECT, related_name="results", verbose_name=_("call task")
    )
    started_at = models.DateTimeField(_("started"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    recording_ref = models.CharField(_("recording"), max_length=300, blank=True)
    agent = models.CharField(_("agent"), max_length=100, blank=True)
    contact_attempt_id = models.BigIntegerField(_("contact attempt"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("call result")
        verbose_name_plural = _("call results")
        constraints = [
            models.UniqueConstraint(fields=["task", "started_at"], name="one_result_per_call")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.started_at:%Y-%m-%d %H:%M} {self.result}"


class VisitTask(GateFields):
    """A field visit (外访) to the cardholder's home or billing address by at least two
    collectors (CN-17), approved by a team lead, with its result recorded afterwards."""

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("waiting for collectors")
        AWAITING_APPROVAL = "awaiting_approval", _("awaiting approval")
        APPROVED = "approved", _("approved")
        BLOCKED = "blocked", _("blocked by the gate")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Result(models.TextChoices):
        MET_DEBTOR = "met_debtor", _("met the debtor")
        NOT_HOME = "not_home", _("nobody at home")
        MOVED = "moved", _("moved away")
        REFUSED = "refused", _("refused to talk")
        PROMISE = "promise", _("promise to pay")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="visit_tasks", verbose_name=_("account")
    )
    address_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="visit_tasks",
        verbose_name=_("address contact point"),
    )
    address = models.CharField(_("address"), max_length=500)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    collectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visit_tasks", verbose_name=_("collectors")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNASSIGNED
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    id_shown = models.BooleanField(_("ID shown"), default=False)
    entry_consent = models.BooleanField(_("consent to enter obtained"), default=False)
    visited_at = models.DateTimeField(_("visited"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    outbox_key = models.CharField(
        _("outbox idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        permissions = [
            ("approve_visittask", _("Can approve field visits")),
            ("record_visit_result", _("Can record the result of a field visit")),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.account_id}"
