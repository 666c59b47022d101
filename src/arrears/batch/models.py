"""What the nightly decision batch publishes: one run record and one decision per account.

A decision row is the dated history of an account's segment and treatment: the latest run
holds today's decision, earlier runs keep what was decided before and by which rule.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Account


class DecisionRun(models.Model):
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    engine = models.CharField(_("engine"), max_length=20, default="duckdb")
    strategy_version = models.CharField(_("strategy version"), max_length=40, blank=True)
    model_version = models.CharField(_("model version"), max_length=40, blank=True)
    accounts = models.IntegerField(_("accounts"), default=0)
    counts_by_treatment = models.JSONField(_("accounts by treatment"), default=dict)
    counts_by_segment = models.JSONField(_("accounts by segment"), default=dict)
    seconds = models.FloatField(_("duration (seconds)"), default=0)

    class Meta:
        verbose_name = _("decision run")
        verbose_name_plural = _("decision runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.accounts})"


class Decision(models.Model):
    """One account's decision in one run.

    Written only by the batch, tens of millions of rows a night with ``COPY``: the foreign keys
    are kept by the ORM (cascades, joins) but not checked row by row in the database
    (``db_constraint=False``), since every row comes from the accounts just read; a run is
    deleted with its rows by :func:`arrears.batch.publish.decisions_publish`.
    """

    run = models.ForeignKey(DecisionRun, on_delete=models.CASCADE, related_name="decisions",
                            db_constraint=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="decisions",
                                db_constraint=False)
    score = models.IntegerField(_("score"), null=True)
    probability_pay = models.FloatField(_("probability of payment"), null=True)
    score_band = models.CharField(_("score band"), max_length=2, blank=True)
    reason_1 = models.CharField(_("reason 1"), max_length=40, blank=True)
    reason_2 = models.CharField(_("reason 2"), max_length=40, blank=True)
    reason_3 = models.CharField(_("reason 3"), max_length=40, blank=True)
    segment = models.CharField(_("segment"), max_length=60)
    treatment = models.CharField(_("treatment"), max_length=30)
    template = models.CharField(_("template"), max_length=60, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=9)
    rule_id = models.CharField(_("rule"), max_length=80)
    arm = models.CharField(_("arm"), max_length=40, default="champion")
    expected_recovery_minor = models.BigIntegerField(_("expected recovery"), default=0)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="one_decision_per_run_account")
        ]
        indexes = [models.Index(fields=["account", "run"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.treatment} ({self.rule_id})"
