"""External collection agencies (CN-14, CN-15), their commission plans, and the accounts placed
with them in batches. Money in integer minor units, rates as Decimal fractions (0.1500 = 15 %).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.batch.models import DecisionRun
from arrears.portfolio.models import Account
from arrears.rules.aging import BUCKET_CODES

BUCKET_CHOICES = [("", _("any bucket")), *((b, b) for b in BUCKET_CODES)]


class Agency(models.Model):
    """An agency on the bank's list: only an approved one, under a contract in force and
    inspected within twelve months, receives accounts (the gate decides, CN-15)."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("approved")
        SUSPENDED = "suspended", _("suspended")
        EXITED = "exited", _("exited")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.APPROVED)
    contract_from = models.DateField(_("contract from"))
    contract_until = models.DateField(_("contract until"), null=True, blank=True)
    last_inspection_on = models.DateField(_("last inspection"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("The most accounts the agency holds in placement at once."))
    window_days = models.PositiveSmallIntegerField(
        _("placement window (days)"), default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)])
    payment_prefix = models.CharField(
        _("payment reference prefix"), max_length=20, blank=True,
        help_text=_("Payments whose reference starts with this were collected by the agency; "
                    "the others were paid directly to the bank. Empty: every payment counts "
                    "as the agency's."))
    direct_share = models.DecimalField(
        _("share credited for direct payments"), max_digits=5, decimal_places=4,
        default=Decimal("1"), validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The part of a payment made directly to the bank during the placement "
                    "that counts towards the agency's commission (1 = all, 0 = none)."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def gate_facts(self) -> dict:
        """The agency as the compliance gate reads it (``Agency`` of the gate's request)."""
        return {"status": self.status, "id": self.code,
                "contract_from": self.contract_from.isoformat(),
                "contract_until": self.contract_until.isoformat() if self.contract_until else None,
                "last_inspection_on": (self.last_inspection_on.isoformat()
                                       if self.last_inspection_on else None)}


class CommissionTier(models.Model):
    """One tier of an agency's plan: the placements it covers (by the bucket and the balance at
    placement) and, in its levels, the rates by amount collected."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="tiers",
                               verbose_name=_("agency"))
    position = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("The first tier that matches a placement applies."))
    bucket = models.CharField(_("bucket"), max_length=4, choices=BUCKET_CHOICES, blank=True)
    balance_from_minor = models.BigIntegerField(_("balance from (minor units)"), default=0)
    balance_to_minor = models.BigIntegerField(
        _("balance below (minor units)"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        ordering = ["agency", "position", "pk"]

    def __str__(self) -> str:
        upper = "" if self.balance_to_minor is None else self.balance_to_minor
        return f"{self.agency.code} #{self.position} {self.bucket or '*'} " \
               f"{self.balance_from_minor}–{upper}"


class CommissionLevel(models.Model):
    """A sliding level: the part of the tier's collections from ``collected_from_minor`` up to
    the next level earns ``rate``."""

    tier = models.ForeignKey(CommissionTier, on_delete=models.CASCADE, related_name="levels",
                             verbose_name=_("tier"))
    collected_from_minor = models.BigIntegerField(_("collected from (minor units)"), default=0,
                                                  validators=[MinValueValidator(0)])
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4,
                               validators=[MinValueValidator(0), MaxValueValidator(1)])

    class Meta:
        verbose_name = _("commission level")
        verbose_name_plural = _("commission levels")
        ordering = ["tier", "collected_from_minor"]
        constraints = [models.UniqueConstraint(fields=["tier", "collected_from_minor"],
                                               name="commission_level_once")]

    def __str__(self) -> str:
        return f"≥{self.collected_from_minor}: {self.rate}"


class AgencyMember(models.Model):
    """A user who works for an agency: they reach only the accounts placed with it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="agency_membership", verbose_name=_("user"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members",
                               verbose_name=_("agency"))

    class Meta:
        verbose_name = _("agency member")
        verbose_name_plural = _("agency members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code}"


class PlacementBatch(models.Model):
    """Accounts allocated at once across the eligible agencies. The seed and the agencies'
    room are recorded so that the allocation can be derived again and compared."""

    class Source(models.TextChoices):
        NIGHT = "night", _("the night's decisions")
        MANUAL = "manual", _("selected by hand")

    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    run = models.ForeignKey(DecisionRun, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", verbose_name=_("decision run"))
    seed = models.BigIntegerField(_("seed"))
    agency_room = models.JSONField(_("agencies and their room"), default=list)
    candidates = models.IntegerField(_("candidates"), default=0)
    placed = models.IntegerField(_("placed"), default=0)
    refused = models.IntegerField(_("refused"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement batch")
        verbose_name_plural = _("placement batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of} {self.source}"


class Placement(models.Model):
    """One account with one agency from ``placed_on`` until it is recalled (``ended_on``)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RECALLED = "recalled", _("recalled")

    batch = models.ForeignKey(PlacementBatch, on_delete=models.PROTECT,
                              related_name="placements", verbose_name=_("batch"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="placements",
                                verbose_name=_("account"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="placements",
                               verbose_name=_("agency"))
    tier = models.ForeignKey(CommissionTier, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("commission tier"))
    bucket = models.CharField(_("bucket at placement"), max_length=4)
    balance_minor = models.BigIntegerField(_("balance at placement"))
    band = models.PositiveSmallIntegerField(_("balance band"))
    placed_on = models.DateField(_("placed on"))
    due_on = models.DateField(_("recall due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    ended_on = models.DateField(_("recalled on"), null=True, blank=True)
    recall_reason = models.CharField(_("recall reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["agency", "status"]),
                   models.Index(fields=["status", "due_on"])]
        constraints = [models.UniqueConstraint(
            fields=["account"], condition=models.Q(status="active"),
            name="placement_one_active_per_account")]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.agency_id} {self.placed_on}"


class PlacementRefusal(models.Model):
    """A candidate of a batch that was not placed: the gate refused it (with its reasons) or
    no eligible agency had room."""

    class Reason(models.TextChoices):
        GATE = "gate", _("refused by the compliance gate")
        CAPACITY = "capacity", _("no agency had room")

    batch = models.ForeignKey(PlacementBatch, on_delete=models.CASCADE,
                              related_name="refusals", verbose_name=_("batch"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("agency"))
    bucket = models.CharField(_("bucket"), max_length=4)
    balance_minor = models.BigIntegerField(_("balance"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    rule_ids = models.CharField(_("rules"), max_length=200, blank=True)
    reasons = models.JSONField(_("the gate's reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("placement refusal")
        verbose_name_plural = _("placement refusals")

    def __str__(self) -> str:
        return f"{self.account_id} {self.reason} {self.rule_ids}"


class PlacementExtension(models.Model):
    """A placement's window lengthened by a permitted user, with the reason (also audited)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE,
                                  related_name="extensions", verbose_name=_("placement"))
    days = models.PositiveSmallIntegerField(_("days"))
    due_before = models.DateField(_("due before"))
    due_after = models.DateField(_("due after"))
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement extension")
        verbose_name_plural = _("placement extensions")

    def __str__(self) -> str:
        return f"{self.placement_id} +{self.days}"
