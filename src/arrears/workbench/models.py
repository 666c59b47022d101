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
from arrears.portfolio.models import Account
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
    name = models.CharField(_("name"), max_length=100, unique=True)
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

    def __str__(self) -> str:
        return self.name


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
