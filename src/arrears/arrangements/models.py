"""Payment arrangements: promises to pay, repayment plans, waivers and settlements, who may
grant what (the authority matrix) and the approvals of what goes beyond it.

References to other new apps are plain values; the ledger and the portfolio are foreign keys.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account

USER = settings.AUTH_USER_MODEL


class Promise(models.Model):
    """A promise to pay ``amount_minor`` by ``due_date`` (承诺还款)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        KEPT = "kept", _("kept")
        PARTLY_KEPT = "partly_kept", _("partly kept")
        BROKEN = "broken", _("broken")
        CANCELLED = "cancelled", _("cancelled")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="promises")
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    due_date = models.DateField(_("due date"))
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("taken by"))
    taken_at = models.DateTimeField(_("taken at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    paid_minor = models.BigIntegerField(_("paid by the deadline"), default=0)
    paid_late_minor = models.BigIntegerField(_("paid after the deadline"), default=0)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        indexes = [models.Index(fields=["account", "-taken_at"]),
                   models.Index(fields=["status", "due_date"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0),
                                              name="promise_amount_positive")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_minor} {self.due_date} {self.status}"


class Plan(models.Model):
    """A repayment plan: extension, instalments or a personalised plan (停息挂账)."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("extension")
        INSTALMENT = "instalment", _("instalments")
        PERSONALISED = "personalised", _("personalised instalments")

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        BREACHED = "breached", _("breached")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(
        _("months"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    principal_minor = models.BigIntegerField(_("principal at start"))
    interest_minor = models.BigIntegerField(_("interest at start"))
    fees_minor = models.BigIntegerField(_("fees at start"))
    monthly_rate = models.DecimalField(_("monthly fee or interest rate"), max_digits=9,
                                       decimal_places=7, default=Decimal(0))
    waive_interest = models.BooleanField(_("interest stopped"), default=False)
    down_payment_minor = models.BigIntegerField(_("down payment"), default=0)
    start_date = models.DateField(_("start date"))
    total_minor = models.BigIntegerField(_("total to pay"))
    cost_minor = models.BigIntegerField(_("cost (fees and interest)"))
    apr = models.DecimalField(_("annualised rate"), max_digits=9, decimal_places=4)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    breach_days = models.PositiveSmallIntegerField(_("days late before breach"), default=30)
    recording_ref = models.CharField(
        _("recording reference"), max_length=200, blank=True,
        help_text=_("The call recording of an oral agreement (CN-13)."))
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        indexes = [models.Index(fields=["account", "-proposed_at"]),
                   models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.months} {self.status}"


class PlanInstalment(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("due")
        PAID = "paid", _("paid")
        LATE = "late", _("late")
        PAID_LATE = "paid_late", _("paid late")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    principal_minor = models.BigIntegerField(_("principal"))
    charge_minor = models.BigIntegerField(_("fee or interest"))
    amount_minor = models.BigIntegerField(_("amount"))
    paid_minor = models.BigIntegerField(_("paid"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DUE)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"],
                                               name="one_instalment_per_seq")]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.seq} {self.due_date} {self.amount_minor}"


class Waiver(models.Model):
    """A fee or interest waiver (减免), or a settlement: pay ``settle_for_minor`` by
    ``due_date`` and the rest (``amount_minor``) is waived."""

    class Kind(models.TextChoices):
        FEE = "fee", _("fee waiver")
        INTEREST = "interest", _("interest waiver")
        SETTLEMENT = "settlement", _("settlement")

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        APPROVED = "approved", _("approved, awaiting payment")
        APPLIED = "applied", _("applied")
        BROKEN = "broken", _("not paid in time")
        REJECTED = "rejected", _("rejected")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="waivers")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount_minor = models.BigIntegerField(_("amount waived"))
    settle_for_minor = models.BigIntegerField(_("settle for"), null=True, blank=True)
    balance_minor = models.BigIntegerField(_("balance when proposed"))
    due_date = models.DateField(_("pay by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    applied_on = models.DateField(_("applied on"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiver or settlement")
        verbose_name_plural = _("waivers and settlements")
        indexes = [models.Index(fields=["account", "-proposed_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0),
                                              name="waiver_amount_positive")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.amount_minor} {self.status}"


class AuthorityLimit(models.Model):
    """What members of one role (a group) may grant without approval. No row: nothing.
    An empty limit means no limit on that dimension."""

    class Kind(models.TextChoices):
        FEE_WAIVER = "fee_waiver", _("fee waiver")
        INTEREST_WAIVER = "interest_waiver", _("interest waiver")
        SETTLEMENT_DISCOUNT = "settlement_discount", _("settlement discount")
        PLAN_INSTALMENT = "plan_instalment", _("instalment plan")
        PLAN_PERSONALISED = "plan_personalised", _("personalised plan")
        PLAN_EXTENSION = "plan_extension", _("extension")

    group_name = models.CharField(_("role (group name)"), max_length=150)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    max_amount_minor = models.BigIntegerField(_("maximum amount"), null=True, blank=True)
    max_share_of_balance = models.DecimalField(
        _("maximum share of the balance"), max_digits=5, decimal_places=4, null=True,
        blank=True, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("e.g. 0.2 for a fifth of the balance"))
    max_months = models.PositiveSmallIntegerField(_("maximum months"), null=True, blank=True)

    class Meta:
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")
        constraints = [models.UniqueConstraint(fields=["group_name", "kind"],
                                               name="one_limit_per_role_and_kind")]

    def __str__(self) -> str:
        return f"{self.group_name} {self.kind}"


class ApprovalRequest(models.Model):
    """A plan, waiver or settlement beyond its proposer's authority, waiting for a decision."""

    class Subject(models.TextChoices):
        PLAN = "plan", _("plan")
        WAIVER = "waiver", _("waiver")
        SETTLEMENT = "settlement", _("settlement")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Reason(models.TextChoices):
        """Why a request waits for approval: stored as a code, shown in the reader's
        language."""

        BEYOND_AUTHORITY = "beyond_authority", _("Beyond the proposer's authority.")
        PERSONALISED_PLAN = "personalised_plan", _(
            "Personalised plans always need approval (CN-13).")

    subject_type = models.CharField(_("what"), max_length=12, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("id"))
    authority_kind = models.CharField(_("authority needed"), max_length=24,
                                      choices=AuthorityLimit.Kind.choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT,
                                related_name="approval_requests")
    amount_minor = models.BigIntegerField(_("amount"), default=0)
    balance_minor = models.BigIntegerField(_("balance"), default=0)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    reason_code = models.CharField(_("why approval is needed"), max_length=30, blank=True,
                                   choices=Reason.choices)
    # Words of requests made before reasons were stored as codes, in the proposer's language.
    reason = models.CharField(_("why approval is needed (as written)"), max_length=300,
                              blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} {self.status}"

    @property
    def reason_text(self) -> str:
        """Why approval is needed, in the reader's language (older requests: as written)."""
        return self.get_reason_code_display() if self.reason_code else self.reason
