"""What the cardholder self-service portal stores: links, one-time codes, portal sessions,
rate-limit hits and payment intents.

Secrets (link tokens, codes, session tokens) are stored only as SHA-256 hashes: a reader of
the database cannot sign in as a cardholder. Nothing here is a staff user or a Django session.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account


class AccessLink(models.Model):
    """A link printed in an SMS, e-mail or letter: a random token (only its hash is kept) that
    names one account until it expires. It says nothing by itself and opens nothing without a
    one-time code sent to the cardholder."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"link {self.pk} (account {self.account_id})"


class LoginChallenge(models.Model):
    """One request for a one-time code. ``account`` is empty when the details given matched no
    account: the answer and the next page are the same, but no code exists that could match."""

    class Via(models.TextChoices):
        LINK = "link", _("link")
        CARD = "card", _("card and mobile")

    handle_hash = models.CharField(_("handle hash"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    via = models.CharField(_("way in"), max_length=8, choices=Via.choices)
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    locked = models.BooleanField(_("locked"), default=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code request")
        verbose_name_plural = _("one-time code requests")
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"code request {self.pk}"


class PortalSession(models.Model):
    """A signed-in cardholder: a random cookie token (hash kept) bound to one account, with an
    idle and an absolute expiry. Separate from staff sessions in every way."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("self-service session")
        verbose_name_plural = _("self-service sessions")

    def __str__(self) -> str:
        return f"session {self.pk} (account {self.account_id})"


class ThrottleHit(models.Model):
    """One counted request against a rate limit: ``key`` is a hash of what is limited (a link,
    a mobile number, an address, an account), never the value itself."""

    key = models.CharField(_("key"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rate-limit hit")
        verbose_name_plural = _("rate-limit hits")
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.at:%Y-%m-%d %H:%M}"


class PaymentIntent(models.Model):
    """A payment the cardholder started; the provider's signed callback completes it, and the
    payment reaches the ledger once, keyed by the provider's reference."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("provider"), max_length=32)
    reference = models.CharField(_("provider reference"), max_length=64, unique=True)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    posting_external_id = models.CharField(_("posting"), max_length=64, blank=True)
    callbacks = models.PositiveIntegerField(_("callbacks received"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("payment intent")
        verbose_name_plural = _("payment intents")
        indexes = [models.Index(fields=["account", "-created_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0),
                                              name="payment_intent_amount_positive")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference}"
