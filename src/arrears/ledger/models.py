"""The append-only ledger and what the nightly cycle derives from it.

``Posting`` rows are never updated or deleted; a correction is a new ``reversal`` posting.
``AccountPosition`` is a cache of the derived balances and aging as of the last cycle, which
a rebuild from the ledger reproduces exactly. The set-based cycle rewrites only the positions
whose values changed: a row's ``as_of``/``accrued_through`` are the date it was last written,
lifted to the latest cycle run that covered the account (``CycleRun.accounts_through``; see
``arrears.ledger.selectors.position_as_of``). ``BucketChange`` keeps every change of bucket
with its date; ``CycleRun`` records each run of the nightly cycle.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account, Product
from arrears.rules.aging import BUCKET_CODES


class Posting(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("purchase")
        CASH = "cash", _("cash advance")
        PAYMENT = "payment", _("payment")
        REVERSAL = "reversal", _("reversal")
        INTEREST = "interest", _("interest")
        LATE_FEE = "late_fee", _("late fee")
        WAIVER = "waiver", _("waiver")
        ADJUSTMENT = "adjustment", _("adjustment")
        WRITE_OFF = "write_off", _("write-off")

    class Component(models.TextChoices):
        NONE = "", _("none")
        PRINCIPAL = "principal", _("principal")
        INTEREST = "interest", _("interest")
        FEES = "fees", _("fees")

    class Source(models.TextChoices):
        IMPORT = "import", _("file import")
        API = "api", _("API")
        CYCLE = "cycle", _("nightly cycle")
        WEB = "web", _("web")
        SELF_SERVICE = "portal", _("cardholder self-service")

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    # no index of its own: the index on (account, posting_date) serves it, and every index is
    # paid for by each posting a bank's file inserts
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings",
                                db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    component = models.CharField(
        _("component"), max_length=12, choices=Component.choices, blank=True, default=""
    )
    posting_date = models.DateField(_("posting date"))
    value_date = models.DateField(_("value date"))
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    statement_cycle_date = models.DateField(
        _("statement cycle date"),
        null=True,
        blank=True,
        help_text=_("For a late fee: the statement whose unpaid minimum it is charged for."),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [models.Index(fields=["account", "posting_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_minor=0), name="posting_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0) | models.Q(kind="adjustment"),
                name="posting_amount_positive_unless_adjustment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.kind} {self.amount_minor}"


class AccountPosition(models.Model):
    """Balances and aging of one account as of the last cycle: derived, rebuildable."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="position"
    )
    as_of = models.DateField(_("as of"))
    principal_minor = models.BigIntegerField(_("principal"), default=0)
    interest_minor = models.BigIntegerField(_("interest"), default=0)
    fees_minor = models.BigIntegerField(_("fees"), default=0)
    past_due_minor = models.BigIntegerField(_("past due"), default=0)
    days_past_due = models.IntegerField(_("days past due"), default=0)
    cycles_delinquent = models.IntegerField(_("cycles delinquent"), default=0)
    bucket = models.CharField(
        _("bucket"), max_length=4, choices=[(b, b) for b in BUCKET_CODES], default="M0"
    )
    accrued_through = models.DateField(_("interest accrued through"), null=True, blank=True)

    class Meta:
        verbose_name = _("account position")
        verbose_name_plural = _("account positions")
        indexes = [models.Index(fields=["bucket"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.bucket} {self.as_of}"

    @property
    def balance_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fees_minor


class BucketChange(models.Model):
    """A dated change of an account's bucket: cures, roll forwards and roll backs."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bucket_changes")
    changed_on = models.DateField(_("changed on"))
    from_bucket = models.CharField(_("from bucket"), max_length=4)
    to_bucket = models.CharField(_("to bucket"), max_length=4)
    days_past_due = models.IntegerField(_("days past due"))
    cycle_run = models.ForeignKey("CycleRun", on_delete=models.SET_NULL, null=True, blank=True)
    policy = models.ForeignKey(
        "DelinquencyPolicy", on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("delinquency policy"),
        help_text=_("The policy version whose ranges gave the new bucket."))

    class Meta:
        verbose_name = _("bucket change")
        verbose_name_plural = _("bucket changes")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "changed_on"], name="one_bucket_change_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.changed_on} {self.from_bucket}→{self.to_bucket}"


class CycleRun(models.Model):
    """One run of the nightly cycle: what it was asked, what it did and how long it took."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    accounts = models.IntegerField(_("accounts"), default=0)
    interest_postings = models.IntegerField(_("interest postings"), default=0)
    fee_postings = models.IntegerField(_("late-fee postings"), default=0)
    counts_by_bucket = models.JSONField(_("accounts by bucket"), default=dict)
    # the highest account id this run has cycled, committed with each range of accounts: every
    # account with a position up to it is accrued through this run's date
    accounts_through = models.BigIntegerField(_("accounts cycled through id"), null=True,
                                              blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("cycle run")
        verbose_name_plural = _("cycle runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.accounts})"


class DelinquencyPolicy(models.Model):
    """One version of the buckets by days past due (like Apache Fineract's delinquency ranges):
    for one product, or for every product without a policy of its own (no product). The cycle
    uses, for each product, the latest version whose ``valid_from`` is on or before its date."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("product"), help_text=_("Empty: the default for every product."))
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delinquency policy")
        verbose_name_plural = _("delinquency policies")
        ordering = ["product_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"],
                                    name="one_delinquency_policy_version"),
        ]

    def __str__(self) -> str:
        whose = self.product.code if self.product_id else _("default")
        return f"{whose} v{self.version}"


class DelinquencyRange(models.Model):
    """A bucket of a policy: from ``min_days`` days past due up to the next range's start."""

    policy = models.ForeignKey(DelinquencyPolicy, on_delete=models.CASCADE,
                               related_name="ranges", verbose_name=_("policy"))
    code = models.CharField(_("bucket"), max_length=4)
    min_days = models.PositiveIntegerField(_("from days past due"))

    class Meta:
        verbose_name = _("delinquency range")
        verbose_name_plural = _("delinquency ranges")
        ordering = ["policy", "min_days"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="one_range_per_bucket"),
            models.UniqueConstraint(fields=["policy", "min_days"], name="one_range_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ≥ {self.min_days}"


class InterestStop(models.Model):
    """Days on which no interest accrues on an account: a personalised plan with interest
    stopped (停息挂账), from its activation to its close (inclusive; open while it runs).
    Written by the arrangements; read by the cycle and the payoff quote."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("account"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("interest stop")
        verbose_name_plural = _("interest stops")
        indexes = [models.Index(fields=["account"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.first_day}…{self.last_day or ''}"
