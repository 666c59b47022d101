"""The card portfolio as the card system hands it to us: products, cardholders, their contact
points and third-party contacts, accounts and statements.

Money is stored in integer minor units (分, cents) in ``*_minor`` columns; the product's currency
says how many decimals a unit has. Rules work on ``Decimal`` (see ``arrears.rules.money``).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.rules.allocation import DEFAULT_ALLOCATION_ORDER
from arrears.rules.limits import HARD_MAX_AMOUNT_MINOR, HARD_MAX_HORIZON_DAYS, PostingLimits

LIMIT_DEFAULTS = PostingLimits()


class Product(models.Model):
    """A card product and the rules of its contract: interest, fees, minimum payment, dates."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    daily_interest_rate = models.DecimalField(
        _("daily overdue interest rate"),
        max_digits=9,
        decimal_places=7,
        default=Decimal("0.0005"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Fraction per day, e.g. 0.0005 for 0.05% a day."),
    )
    late_fee_rate = models.DecimalField(
        _("late fee rate"),
        max_digits=7,
        decimal_places=5,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Share of the unpaid minimum payment charged as late fee (违约金)."),
    )
    late_fee_min_minor = models.BigIntegerField(_("late fee minimum (minor units)"), default=0)
    late_fee_max_minor = models.BigIntegerField(
        _("late fee maximum (minor units)"), null=True, blank=True
    )
    min_payment_rate = models.DecimalField(
        _("minimum payment rate"),
        max_digits=7,
        decimal_places=5,
        default=Decimal("0.10"),
        help_text=_("Share of the statement principal in the minimum payment, e.g. 0.10."),
    )
    min_payment_floor_minor = models.BigIntegerField(
        _("minimum payment floor (minor units)"), default=10000
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, help_text=_("Days after the due date before a late fee.")
    )
    past_due_tolerance_minor = models.BigIntegerField(
        _("past-due tolerance (minor units)"),
        default=0,
        help_text=_("An unpaid minimum at or below this amount does not make an account late."),
    )
    allocation_order = models.CharField(
        _("repayment allocation order"),
        max_length=60,
        default=",".join(DEFAULT_ALLOCATION_ORDER),
        help_text=_("Comma-separated components paid first to last: fees, interest, principal."),
    )
    statement_day = models.PositiveSmallIntegerField(_("statement day of month"), default=20)
    due_days = models.PositiveSmallIntegerField(
        _("days from statement to due date"), default=25
    )
    # Plausibility limits (arrears.rules.limits): what no real posting or payment looks like.
    max_posting_minor = models.BigIntegerField(
        _("largest posting (minor units)"),
        default=LIMIT_DEFAULTS.max_amount_minor,
        validators=[MinValueValidator(1), MaxValueValidator(HARD_MAX_AMOUNT_MINOR)],
        help_text=_("No payment, reversal, waiver or imported posting may be larger."),
    )
    overpayment_percent = models.DecimalField(
        _("overpayment allowed (percent of the balance)"),
        max_digits=6,
        decimal_places=2,
        default=LIMIT_DEFAULTS.overpayment_percent,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("A payment or a promise may exceed what is owed by this share plus the "
                    "margin below; anything larger is refused as implausible."),
    )
    overpayment_margin_minor = models.BigIntegerField(
        _("overpayment margin (minor units)"),
        default=LIMIT_DEFAULTS.overpayment_margin_minor,
        validators=[MinValueValidator(0), MaxValueValidator(HARD_MAX_AMOUNT_MINOR)],
        help_text=_("An absolute amount a payment may exceed the balance by, on top of the "
                    "percentage."),
    )
    quote_horizon_days = models.PositiveSmallIntegerField(
        _("payoff quote horizon (days)"),
        default=LIMIT_DEFAULTS.horizon_days,
        validators=[MinValueValidator(1), MaxValueValidator(HARD_MAX_HORIZON_DAYS)],
        help_text=_("How many days ahead a payoff quote may be asked for."),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def limits(self) -> PostingLimits:
        return PostingLimits(
            max_amount_minor=self.max_posting_minor,
            overpayment_percent=Decimal(self.overpayment_percent),
            overpayment_margin_minor=self.overpayment_margin_minor,
            horizon_days=self.quote_horizon_days,
        )


class Cardholder(models.Model):
    """A person who holds one or more card accounts."""

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    national_id = models.CharField(_("national ID number"), max_length=32, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    income_minor = models.BigIntegerField(_("monthly income (minor units)"), null=True, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    flags = models.CharField(
        _("flags"),
        max_length=200,
        blank=True,
        help_text=_("Semicolon-separated, e.g. complaint;hardship;deceased;bankruptcy;dispute."),
    )
    language = models.CharField(_("preferred language"), max_length=10, default="zh-hans")
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, help_text=_("Blank: the product's time zone.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cardholder")
        verbose_name_plural = _("cardholders")
        permissions = [("view_unmasked_pii", _("Can see unmasked personal data"))]

    def __str__(self) -> str:
        return f"{self.external_id}"

    @property
    def flag_set(self) -> frozenset[str]:
        return frozenset(f for f in self.flags.split(";") if f)


# Contact point kinds by what they are, best first where one is chosen: a mobile before a
# landline; the home (where the debtor lives) before the billing address.
PHONE_KINDS = ("mobile", "home_phone", "work_phone")
ADDRESS_KINDS = ("home_address", "billing_address")


class ContactPoint(models.Model):
    """A way to reach the cardholder: a phone number, e-mail address or postal address."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("mobile phone")
        HOME_PHONE = "home_phone", _("home phone")
        WORK_PHONE = "work_phone", _("work phone")
        EMAIL = "email", _("e-mail")
        BILLING_ADDRESS = "billing_address", _("billing address")
        HOME_ADDRESS = "home_address", _("home address")

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="contact_points"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=500)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        # The self-service portal finds a cardholder by a mobile number (any spelling of it).
        indexes = [models.Index(fields=["kind", "value"], name="contact_point_kind_value")]

    def __str__(self) -> str:
        return f"{self.cardholder_id} {self.kind}"


class ThirdPartyContact(models.Model):
    """Someone other than the cardholder: an emergency contact (紧急联系人), relative, colleague."""

    class Relation(models.TextChoices):
        EMERGENCY = "emergency", _("emergency contact")
        SPOUSE = "spouse", _("spouse")
        PARENT = "parent", _("parent")
        CHILD = "child", _("child")
        SIBLING = "sibling", _("sibling")
        RELATIVE = "relative", _("other relative")
        FRIEND = "friend", _("friend")
        COLLEAGUE = "colleague", _("colleague")
        OTHER = "other", _("other")

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="third_party_contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("third-party contact")
        verbose_name_plural = _("third-party contacts")

    def __str__(self) -> str:
        return f"{self.cardholder_id} {self.relation}"


class Account(models.Model):
    """A card account: the unit that is billed, ages and is collected."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        BLOCKED = "blocked", _("blocked")
        CHARGED_OFF = "charged_off", _("charged off")
        CLOSED = "closed", _("closed")

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="accounts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="accounts")
    credit_limit_minor = models.BigIntegerField(_("credit limit (minor units)"))
    open_date = models.DateField(_("open date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.external_id


class Statement(models.Model):
    """A billing statement: what was owed at the cycle date and the minimum due by the due date.

    ``minimum_due_minor`` is the whole minimum shown on the statement, past-due minimums included.
    Statements are never edited: a card system re-sends the same statement or nothing.
    """

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    # no index of its own: the unique (account, cycle_date) serves it
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="statements",
                                db_index=False)
    cycle_date = models.DateField(_("cycle date"))
    due_date = models.DateField(_("due date"))
    statement_balance_minor = models.BigIntegerField(_("statement balance (minor units)"))
    minimum_due_minor = models.BigIntegerField(_("minimum due (minor units)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "cycle_date"], name="one_statement_per_account_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("cycle_date")),
                name="statement_due_on_or_after_cycle",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_due_minor__gte=0), name="statement_minimum_not_negative"
            ),
        ]  # the unique constraint's index serves lookups by account and cycle date

    def __str__(self) -> str:
        return f"{self.account_id} {self.cycle_date}"


class SearchKey(models.Model):
    """What a cardholder can be found by, besides the numbers (``arrears.portfolio.search``):
    the two-character pieces of the name, each phone number's digits, the last four characters
    of the national ID. Derived from the cardholder and its contact points (kept in step by
    ``search_keys_refresh``), so that every search is an index lookup, never a scan."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        PHONE = "phone", _("phone")
        ID_LAST4 = "id4", _("last four of the ID")

    cardholder = models.ForeignKey(Cardholder, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=40)

    class Meta:
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")
        indexes = [models.Index(fields=["kind", "key", "cardholder"],
                                name="portfolio_search_key_idx")]

    def __str__(self) -> str:
        return f"{self.cardholder_id} {self.kind}"
