"""The records of the night: one :class:`NightRun` per business date, one :class:`StepRun` per
step of it. A step reads what the steps before it recorded (``details``) and leaves its own
counts and details for the next; a rerun finds what is done and goes on from there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")


class NightRun(models.Model):
    as_of = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.IntegerField(_("attempts"), default=0)
    files = models.CharField(_("files directory"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("started by"))

    class Meta:
        verbose_name = _("night run")
        verbose_name_plural = _("night runs")
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.status})"


class StepRun(models.Model):
    night = models.ForeignKey(NightRun, on_delete=models.CASCADE, related_name="steps",
                              verbose_name=_("night"))
    step = models.CharField(_("step"), max_length=20)
    position = models.SmallIntegerField(_("position"))
    as_of = models.DateField(_("business date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    attempts = models.IntegerField(_("attempts"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("night step")
        verbose_name_plural = _("night steps")
        ordering = ["night", "position"]
        constraints = [models.UniqueConstraint(fields=["night", "step"],
                                               name="one_step_run_per_night_step")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.step} ({self.status})"
