"""Collection teams, their collectors, and the work queues the nightly batch deals to them.

A team works one channel (phone calls or field visits) for the regions, buckets and languages
it covers; a collector belongs to a team, handles a number of accounts a day and has skills
(languages, regions, buckets). Skills and coverage are comma-separated codes; blank means all.
``QueueEntry`` is one account in one night's queue: dealt to a collector, or left in the team's
unassigned pool when the team's collectors are full.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.batch.models import DecisionRun
from arrears.portfolio.models import Account, ContactPoint, ThirdPartyContact
from arrears.rules.aging import BUCKET_CODES


class Channel(models.TextChoices):
    CALL = "call", _("phone call")
    FIELD_VISIT = "field_visit", _("field visit")


def codes_split(value: str) -> list[str]:
    """``" M1, M2 ,"`` → ``["M1", "M2"]``; blank → ``[]`` (all)."""
    return [code.strip() for code in value.split(",") if code.strip()]


def codes_normalise(value: str) -> str:
    """A skill list in its stored form: trimmed codes, no duplicates, comma-separated."""
    return ",".join(dict.fromkeys(codes_split(value)))


def _bucket_codes_check(value: str) -> None:
    unknown = [code for code in codes_split(value) if code not in BUCKET_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown bucket %(codes)s; use %(known)s."),
            params={"codes": ", ".join(unknown), "known": ", ".join(BUCKET_CODES)},
        )


def _language_codes_check(value: str) -> None:
    known = [code for code, _name in settings.LANGUAGES]
    unknown = [code for code in codes_split(value) if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language %(codes)s; use %(known)s."),
            params={"codes": ", ".join(unknown), "known": ", ".join(known)},
        )


class SkillFields(models.Model):
    """Which accounts a team covers or a collector can work: blank means all."""

    languages = models.CharField(
        _("languages"),
        max_length=100,
        blank=True,
        validators=[_language_codes_check],
        help_text=_("Comma-separated, e.g. zh-hans,en. Blank: all."),
    )
    regions = models.CharField(
        _("regions"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated region codes. Blank: all."),
    )
    buckets = models.CharField(
        _("buckets"),
        max_length=100,
        blank=True,
        validators=[_bucket_codes_check],
        help_text=_("Comma-separated, e.g. M1,M2. Blank: all."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.languages = codes_normalise(self.languages)
        self.regions = codes_normalise(self.regions)
        self.buckets = codes_normalise(self.buckets)
        super().save(*args, **kwargs)


class Team(SkillFields):
    """A team's ``name`` is shown as the bank entered it (its organisation's name, one name in
    every language); a team with a ``code`` the label catalogue knows (the demo's) is shown in
    the reader's language instead (:mod:`arrears.workbench.labels`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Optional; a code with a translated name shows that name in each language."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    routing_order = models.PositiveSmallIntegerField(
        _("routing order"),
        default=100,
        help_text=_("An account that several teams cover goes to the team with the lowest number."),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["routing_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""),
                                    name="one_team_per_code"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show, in the reader's language when the catalogue knows the code."""
        from arrears.workbench.labels import team_label

        return team_label(self.code, self.name)


class Collector(SkillFields):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collector_seats",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="collectors", verbose_name=_("team")
    )
    daily_capacity = models.PositiveIntegerField(
        _("daily capacity"), default=60, help_text=_("Accounts this collector works a day.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collector")
        verbose_name_plural = _("collectors")
        ordering = ["team", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_seat_per_user_and_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.team})"


class QueueEntry(models.Model):
    """One account in one night's queue; ``collector`` is empty in the team's unassigned pool."""

    run = models.ForeignKey(DecisionRun, on_delete=models.CASCADE, related_name="queue_entries")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="queue_entries")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queue_entries")
    collector = models.ForeignKey(
        Collector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queue_entries",
    )
    rank = models.PositiveIntegerField(
        _("rank"), help_text=_("1 = work first; within the collector's queue or the team's pool.")
    )
    expected_recovery_minor = models.BigIntegerField(_("expected recovery"), default=0)
    treatment = models.CharField(_("treatment"), max_length=30)
    priority = models.SmallIntegerField(_("priority"), default=9)

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "account"], name="one_queue_entry_per_run_account"
            )
        ]
        indexes = [
            models.Index(fields=["run", "collector", "rank"]),
            models.Index(fields=["run", "team", "rank"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.collector_id or self.team_id} #{self.rank}"


class OutcomeKind(models.TextChoices):
    """What a collector records after working an account (one or two clicks on the screen)."""

    RIGHT_PARTY = "right_party", _("right-party contact")
    THIRD_PARTY = "third_party", _("third party")
    NO_ANSWER = "no_answer", _("no answer")
    WRONG_NUMBER = "wrong_number", _("wrong number")
    DISCONNECTED = "disconnected", _("number disconnected")
    REFUSED = "refused", _("refused to pay")
    PROMISE = "promise", _("promise to pay")
    DISPUTE = "dispute", _("dispute")
    HARDSHIP = "hardship", _("hardship")
    CEASE_CONTACT = "cease_contact", _("request to stop contact")
    COMPLAINT = "complaint", _("complaint")


class Note(models.Model):
    """A collector's free-text note on an account, stored after personal data is scrubbed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="work_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="work_notes",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    findings = models.JSONField(
        _("content findings"),
        default=list,
        blank=True,
        help_text=_("Personal data scrubbed and forbidden words found when the note was saved."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.text[:40]}"


class Outcome(models.Model):
    """One recorded outcome of working an account, with what it set in motion.

    References to the other apps' rows (contact attempt, promise, gate check, skip-trace task)
    are plain ids, so that the workbench does not depend on their tables.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="work_outcomes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="work_outcomes",
        verbose_name=_("collector"),
    )
    kind = models.CharField(_("outcome"), max_length=20, choices=OutcomeKind.choices)
    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    third_party = models.ForeignKey(
        ThirdPartyContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    next_action_on = models.DateField(_("next action"), null=True, blank=True)
    contact_attempt_id = models.BigIntegerField(null=True, blank=True)
    promise_id = models.BigIntegerField(null=True, blank=True)
    skip_trace_task_id = models.BigIntegerField(null=True, blank=True)
    gate_check_id = models.BigIntegerField(null=True, blank=True)
    holds = models.CharField(_("holds placed"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind}"


class AccountWork(models.Model):
    """The workbench's state of one account: the last outcome and when to work it next.

    Kept beside the outcomes so that the queue page reads one row per account.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="work")
    last_outcome = models.CharField(
        _("last outcome"), max_length=20, choices=OutcomeKind.choices, blank=True
    )
    last_outcome_at = models.DateTimeField(_("last outcome at"), null=True, blank=True)
    next_action_on = models.DateField(_("next action"), null=True, blank=True)

    class Meta:
        verbose_name = _("account work")
        verbose_name_plural = _("account work")

    def __str__(self) -> str:
        return f"{self.account_id} → {self.next_action_on}"
