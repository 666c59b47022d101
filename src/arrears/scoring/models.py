"""Versioned score models: who trained each one, on what, how well it did, when it went live."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    class Kind(models.TextChoices):
        SCORECARD = "scorecard", _("scorecard")
        GBM_CHALLENGER = "gbm-challenger", _("gradient-boosting challenger")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidate")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

    name = models.CharField(_("version"), max_length=40, unique=True,
                            help_text=_("A label such as collect-score-v1."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.SCORECARD)
    trained_by = models.CharField(_("trained by"), max_length=150)
    trained_at = models.DateTimeField(_("trained at"))
    training_file = models.CharField(_("training file"), max_length=500)
    training_sha256 = models.CharField(_("training file SHA-256"), max_length=64)
    training_rows = models.IntegerField(_("training rows"))
    target = models.CharField(_("target column"), max_length=200)
    target_rule = models.CharField(_("target meaning"), max_length=300, blank=True)
    features = models.JSONField(_("features"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict,
                               help_text=_("AUC, Gini and KS on the held-out split."))
    settings = models.JSONField(_("training settings"), default=dict, blank=True)
    scorecard = models.JSONField(_("scorecard"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.CANDIDATE)
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-trained_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="live"),
                                    name="one_live_model_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
