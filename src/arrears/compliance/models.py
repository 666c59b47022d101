"""The compliance gate's data: rule packs (versioned parameters), the contact ledger, stored gate
answers, holds, consents, opt-outs, the third-party do-not-call list and the word lists.

``ContactAttempt`` and ``GateCheck`` are append-only and sized for tens of millions of rows: the
gate reads the ledger by (cardholder, at) only, so foreign keys the gate never filters on carry
no index of their own.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.compliance import gate
from arrears.compliance.gate.labels import WORD_CATEGORIES
from arrears.compliance.holds import HOLD_CHOICES
from arrears.portfolio.models import Account, Cardholder, ContactPoint, ThirdPartyContact

PROFILE_CHOICES = [(p, p) for p in gate.PROFILES]
CHANNEL_CHOICES = [
    ("call", _("call")), ("sms", _("SMS")), ("email", _("e-mail")), ("letter", _("letter")),
    ("voicemail", _("voicemail")), ("visit", _("field visit")), ("im", _("instant message")),
]
COUNTERPARTY_CHOICES = [
    ("debtor", _("debtor")), ("guarantor", _("guarantor")),
    ("debt_related_third_party", _("debt-related third party")),
    ("emergency_contact", _("emergency contact")), ("third_party", _("other third party")),
    ("attorney", _("attorney")),
]
PURPOSE_CHOICES = [
    ("collection", _("collection")), ("reminder", _("reminder")),
    ("contact_repair", _("contact repair")), ("opt_out_confirmation", _("opt-out confirmation")),
    ("cease_exception", _("cease exception notice")),
    ("payment_handling", _("payment handling")), ("plan_proposal", _("plan proposal")),
    ("validation_notice", _("validation notice")),
    ("moratorium_notice", _("breathing-space notice")), ("servicing", _("servicing")),
]
OUTCOME_CHOICES = [
    ("sent", _("sent")), ("delivered", _("delivered")), ("failed", _("failed")),
    ("no_answer", _("no answer")), ("not_connected", _("not connected")), ("busy", _("busy")),
    ("voicemail", _("voicemail")), ("right_party", _("right-party contact")),
    ("third_party", _("third-party contact")), ("wrong_number", _("wrong number")),
    ("disconnected", _("number disconnected")), ("refused", _("refused")),
    ("visited", _("visited")), ("not_home", _("not at home")),
]
ACTION_CHOICES = CHANNEL_CHOICES + [
    ("agency_assign", _("agency placement")), ("cra_furnish", _("credit-bureau furnishing")),
    ("legal_referral", _("legal referral")), ("fee_post", _("fee posting")),
    ("interest_post", _("interest posting")), ("debt_sale", _("debt sale")),
]
DECISION_CHOICES = [(d, d) for d in gate.DECISIONS]
VERDICT_CHOICES = [("allow", _("allow")), ("delay", _("delay")), ("block", _("block"))]
STATUS_CHOICES = [("V", _("verified")), ("S", _("secondary source")), ("U", _("unverified"))]


class RulePack(models.Model):
    """One version of a profile's rules. Versions are never edited: a change is a new version,
    which becomes the live one (``active``)."""

    profile = models.CharField(_("profile"), max_length=30, choices=PROFILE_CHOICES)
    version = models.PositiveIntegerField(_("version"))
    active = models.BooleanField(_("live"), default=False)
    default_time_zone = models.CharField(_("default time zone"), max_length=64,
                                         default="Asia/Shanghai")
    region = models.CharField(_("phone region"), max_length=2, default="CN",
                              help_text=_("Reads phone numbers written without a country code."))
    jurisdiction_zones = models.JSONField(
        _("zones of the jurisdiction"), default=list, blank=True,
        help_text=_("When nothing tells where the debtor is, only times lawful in every one of "
                    "these zones are used."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rule pack")
        verbose_name_plural = _("rule packs")
        ordering = ["profile", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "version"], name="one_pack_version"),
            models.UniqueConstraint(fields=["profile"], condition=models.Q(active=True),
                                    name="one_live_pack_per_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.version}"


class RuleSetting(models.Model):
    """One rule of a pack version: which check runs, its action and parameters, its source."""

    pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="settings",
                             verbose_name=_("rule pack"))
    rule_id = models.CharField(_("rule"), max_length=30)
    check_name = models.CharField(_("check"), max_length=40)
    title = models.CharField(_("title"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    action = models.CharField(_("action"), max_length=20, choices=DECISION_CHOICES)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.TextField(_("source"), blank=True)
    status = models.CharField(_("status"), max_length=1, choices=STATUS_CHOICES, default="U")

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["pack", "rule_id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "rule_id"], name="one_rule_per_pack"),
        ]

    def __str__(self) -> str:
        return f"{self.pack} {self.rule_id}"


class ForbiddenWord(models.Model):
    """A word or pattern (``re:…``) the content checks look for, and what it means: forbidden
    wording, items the law requires, and the structure of a sentence (``gate.reading``)."""

    language = models.CharField(_("language"), max_length=10)
    word = models.CharField(_("word or pattern"), max_length=200)
    category = models.CharField(_("category"), max_length=20,
                                choices=list(WORD_CATEGORIES.items()))
    rule_id = models.CharField(_("rule"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forbidden word")
        verbose_name_plural = _("forbidden words")
        ordering = ["language", "category", "word"]
        constraints = [models.UniqueConstraint(fields=["language", "word"], name="one_word")]

    def __str__(self) -> str:
        return f"{self.language} {self.word}"


class ContactAttempt(models.Model):
    """One contact attempt and its outcome: the ledger the frequency rules count. Append-only."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="+",
                                   db_index=False, verbose_name=_("cardholder"))
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNEL_CHOICES)
    purpose = models.CharField(_("purpose"), max_length=24, choices=PURPOSE_CHOICES,
                               default="collection")
    counterparty = models.CharField(_("counterparty"), max_length=26,
                                    choices=COUNTERPARTY_CHOICES, default="debtor")
    contact_point = models.ForeignKey(ContactPoint, on_delete=models.PROTECT, null=True,
                                      blank=True, db_index=False, related_name="+",
                                      verbose_name=_("contact point"))
    third_party = models.ForeignKey(ThirdPartyContact, on_delete=models.PROTECT, null=True,
                                    blank=True, db_index=False, related_name="+",
                                    verbose_name=_("third party"))
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=OUTCOME_CHOICES)
    conversation = models.BooleanField(_("conversation"), default=False)
    excluded_reason = models.CharField(_("not counted because"), max_length=16, blank=True)
    debt_ids = models.CharField(_("debts"), max_length=200, blank=True,
                                help_text=_("Comma-separated; blank: the account itself."))
    check_id = models.BigIntegerField(_("gate check"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, db_index=False, related_name="+",
                              verbose_name=_("actor"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [models.Index(fields=["cardholder", "at"], name="attempt_cardholder_at")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.channel} {self.at:%Y-%m-%d %H:%M} {self.outcome}"


class GateCheck(models.Model):
    """A stored gate answer: what was asked, what the gate said and why. Append-only."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    at = models.DateTimeField(_("asked for"))
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=16, choices=ACTION_CHOICES, blank=True,
                              help_text=_("Blank on answers stored before account actions: "
                                          "the channel."))
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNEL_CHOICES, blank=True)
    purpose = models.CharField(_("purpose"), max_length=24, choices=PURPOSE_CHOICES)
    counterparty = models.CharField(_("counterparty"), max_length=26,
                                    choices=COUNTERPARTY_CHOICES)
    verdict = models.CharField(_("verdict"), max_length=8, choices=VERDICT_CHOICES)
    decision = models.CharField(_("decision"), max_length=20, choices=DECISION_CHOICES)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    rule_ids = models.CharField(_("rules"), max_length=300, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    request = models.JSONField(_("request"), default=dict)
    profile = models.CharField(_("profile"), max_length=30)
    pack_version = models.PositiveIntegerField(_("pack version"), default=0)
    reference = models.CharField(_("reference"), max_length=120, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, db_index=False, related_name="+",
                              verbose_name=_("actor"))

    class Meta:
        verbose_name = _("gate check")
        verbose_name_plural = _("gate checks")

    def __str__(self) -> str:
        return f"{self.account_id} {self.channel} {self.verdict} {self.rule_ids}"


class Hold(models.Model):
    """A compliance hold on an account while it lasts (``since`` ≤ t < ``until``, not released)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=24, choices=HOLD_CHOICES)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("placed by"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("released by"))

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["account", "kind"], name="hold_account_kind")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind}"


class Consent(models.Model):
    """A recorded consent of the debtor, e.g. to be called at an otherwise inconvenient time."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=20, default="contact_time",
                            choices=[("contact_time", _("contact time")),
                                     ("callback", _("callback (call me back)"))])
    channel = models.CharField(_("channel"), max_length=12, blank=True, choices=CHANNEL_CHOICES)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    reference = models.CharField(_("reference"), max_length=120,
                                 help_text=_("Recording or document reference."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["account", "valid_until"], name="consent_account_until")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.reference}"


class OptOut(models.Model):
    """The cardholder asked not to be contacted through ``channel`` (US-14): per person."""

    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("cardholder"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True,
                                db_index=False, related_name="+", verbose_name=_("account"))
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNEL_CHOICES)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.cardholder_id} {self.channel}"


class ThirdPartyDoNotCall(models.Model):
    """A third party who asked not to be called again (CN-02, US-08)."""

    third_party = models.OneToOneField(ThirdPartyContact, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("third party"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("third-party do-not-call entry")
        verbose_name_plural = _("third-party do-not-call list")

    def __str__(self) -> str:
        return f"{self.third_party_id}"
