"""Strategies as versioned data, and champion/challenger tests between them.

A :class:`StrategyVersion` keeps one JDM decision graph exactly as loaded, with who loaded it,
when it went live and why it changed. Exactly one version is live at a time (a partial unique
constraint enforces it); a newer version retires the one before. A :class:`ChallengerTest`
sends a stable share of accounts to a challenger version while the rest stay on the champion.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class StrategyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

    name = models.CharField(_("name"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    jdm = models.JSONField(_("decision model (JDM)"))
    model_version = models.CharField(
        _("model version"), max_length=40, blank=True,
        help_text=_("The score model whose score_band the strategy reads, e.g. collect-score-v1."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    went_live_at = models.DateTimeField(_("went live"), null=True, blank=True)
    sha256 = models.CharField(_("content sha256"), max_length=64)
    note = models.CharField(_("change note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_strategy_name_version"),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="live"), name="one_live_strategy"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How people and decision runs name it: ``cn-default v3``."""
        return f"{self.name} v{self.version}"


class ChallengerTest(models.Model):
    name = models.CharField(
        _("name"), max_length=40, unique=True,
        help_text=_("Also the arm recorded on each decision the challenger makes."),
    )
    champion = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, related_name="champion_tests",
        verbose_name=_("champion"),
    )
    challenger = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, related_name="challenger_tests",
        verbose_name=_("challenger"),
    )
    share_percent = models.DecimalField(
        _("challenger traffic share (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("challenger test")
        verbose_name_plural = _("challenger tests")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__gte=0) & models.Q(share_percent__lte=100),
                name="challenger_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name
