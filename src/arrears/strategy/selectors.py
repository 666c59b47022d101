"""Reading strategies, challenger tests and how the arms of a test did."""

import math
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Min, Q
from django.utils.translation import gettext as _

from arrears.batch.models import Decision
from arrears.ledger.models import AccountPosition, BucketChange, Posting
from arrears.strategy.compile import CHAMPION
from arrears.strategy.models import ChallengerTest, StrategyVersion

# What one contact costs, in minor units of the portfolio currency, by treatment. A bank sets
# its own with the ARREARS_TREATMENT_COSTS setting (same keys) or the report's ``costs``.
DEFAULT_TREATMENT_COSTS = {
    "none": 0, "pre_due_reminder": 5, "sms": 5, "email": 1, "letter": 300, "call": 200,
    "field_visit": 5_000, "card_block": 0, "agency_placement": 2_000, "legal_review": 10_000,
    "write_off_review": 1_000,
}


class StrategyNotFound(Exception):
    pass


def strategy_live() -> StrategyVersion | None:
    return StrategyVersion.objects.filter(status=StrategyVersion.Status.LIVE).first()


def strategy_get(*, label: str | None = None) -> StrategyVersion:
    """A version by ``NAME vN``, ``vN``/``N`` (of the live strategy's name) or ``id:N``;
    the live version when ``label`` is None."""
    if label is None:
        live = strategy_live()
        if live is None:
            raise StrategyNotFound(_("No strategy is live; load one with 'arrears strategy "
                                     "load FILE'."))
        return live
    text = label.strip()
    queryset = StrategyVersion.objects.all()
    name, _sep, number = text.rpartition(" ")
    if not name:
        live = strategy_live()
        name = live.name if live else ""
        number = text
    number = number.removeprefix("v")
    version = (queryset.filter(name=name, version=int(number)).first()
               if number.isdigit() else None)
    if version is None:
        raise StrategyNotFound(_("There is no strategy version %(label)s.") % {"label": label})
    return version


def strategy_list() -> list[StrategyVersion]:
    return list(StrategyVersion.objects.select_related("created_by").order_by("name", "-version"))


def challenger_tests_active(*, as_of: date, champion: StrategyVersion | None = None
                            ) -> list[ChallengerTest]:
    """Tests running on ``as_of`` for the champion (default: the live strategy), by name."""
    champion = champion or strategy_live()
    if champion is None:
        return []
    return list(
        ChallengerTest.objects.select_related("challenger")
        .filter(champion=champion, active=True, start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .order_by("name")
    )


def challenger_test_get(*, name: str) -> ChallengerTest | None:
    return ChallengerTest.objects.select_related("champion", "challenger").filter(
        name=name).first()


# -- the arm report ----------------------------------------------------------------------------

@dataclass
class ArmResult:
    arm: str
    accounts: int = 0
    collected_minor: int = 0
    cured: int = 0
    contacts: int = 0
    contact_cost_minor: int = 0
    collected_per_account: list[int] = field(default_factory=list, repr=False)

    @property
    def cure_rate(self) -> float:
        return self.cured / self.accounts if self.accounts else 0.0

    @property
    def mean_collected_minor(self) -> float:
        return self.collected_minor / self.accounts if self.accounts else 0.0


@dataclass
class ChallengerReport:
    test: ChallengerTest
    start: date
    end: date | None
    champion: ArmResult
    challenger: ArmResult
    cure_rate_p_value: float | None
    collected_p_value: float | None


def _treatment_costs(costs: dict | None) -> dict[str, int]:
    merged = dict(DEFAULT_TREATMENT_COSTS)
    merged.update(getattr(settings, "ARREARS_TREATMENT_COSTS", {}) or {})
    merged.update(costs or {})
    return merged


def two_proportion_p_value(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float | None:
    """Two-sided p-value of the two-proportion z-test (pooled); None when it is undefined."""
    from scipy.stats import norm

    if not n_a or not n_b:
        return None
    pooled = (hits_a + hits_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return None
    z = (hits_a / n_a - hits_b / n_b) / spread
    return float(2 * norm.sf(abs(z)))


def welch_p_value(a: list[int], b: list[int]) -> float | None:
    """Two-sided p-value of Welch's t-test; None with fewer than two values a side or no spread."""
    from scipy.stats import ttest_ind

    if len(a) < 2 or len(b) < 2:
        return None
    result = ttest_ind(a, b, equal_var=False)
    p_value = float(result.pvalue)
    return None if math.isnan(p_value) else p_value


def challenger_report(*, test: ChallengerTest, until: date | None = None,
                      costs: dict | None = None) -> ChallengerReport:
    """Accounts, money collected, cure rate and contact cost by arm, with significance.

    An account enters the test on the date of its first decision in the test window (from the
    start date to the end date, or ``until``); it stays in the arm of that decision.
    *Collected*: payments posted after that date, less reversals of them. *Cured*: the account
    moved to M0 after that date and is still at M0 in its position. *Contact cost*: every
    decision of the account in the window, priced by treatment.
    """
    end = test.end_date or until
    decisions = Decision.objects.filter(run__as_of__gte=test.start_date,
                                        arm__in=[CHAMPION, test.name])
    if end is not None:
        decisions = decisions.filter(run__as_of__lte=end)
    entry = {row["account_id"]: row for row in (
        decisions.values("account_id").annotate(first=Min("run__as_of"), arm=Min("arm"))
    )}
    prices = _treatment_costs(costs)
    arms = {CHAMPION: ArmResult(CHAMPION), test.name: ArmResult(test.name)}
    contact_counts: dict[int, list[str]] = {}
    for account_id, treatment in decisions.values_list("account_id", "treatment"):
        contact_counts.setdefault(account_id, []).append(treatment)
    collected = _collected_after(entry, end)
    cured = _cured_after(entry, end)
    for account_id, row in entry.items():
        arm = arms[row["arm"]]
        arm.accounts += 1
        amount = collected.get(account_id, 0)
        arm.collected_minor += amount
        arm.collected_per_account.append(amount)
        arm.cured += account_id in cured
        treatments = [t for t in contact_counts.get(account_id, []) if t != "none"]
        arm.contacts += len(treatments)
        arm.contact_cost_minor += sum(prices.get(t, 0) for t in treatments)
    champion, challenger = arms[CHAMPION], arms[test.name]
    return ChallengerReport(
        test=test, start=test.start_date, end=end, champion=champion, challenger=challenger,
        cure_rate_p_value=two_proportion_p_value(champion.cured, champion.accounts,
                                                 challenger.cured, challenger.accounts),
        collected_p_value=welch_p_value(champion.collected_per_account,
                                        challenger.collected_per_account),
    )


def _collected_after(entry: dict[int, dict], end: date | None) -> dict[int, int]:
    if not entry:
        return {}
    postings = Posting.objects.filter(account_id__in=list(entry),
                                      kind__in=[Posting.Kind.PAYMENT, Posting.Kind.REVERSAL])
    if end is not None:
        postings = postings.filter(posting_date__lte=end)
    collected: dict[int, int] = {}
    rows = postings.values_list("account_id", "kind", "amount_minor", "posting_date",
                                "reverses__kind")
    for account_id, kind, amount, posting_date, reversed_kind in rows:
        if posting_date <= entry[account_id]["first"]:
            continue
        if kind == Posting.Kind.PAYMENT:
            collected[account_id] = collected.get(account_id, 0) + amount
        elif reversed_kind == Posting.Kind.PAYMENT:
            collected[account_id] = collected.get(account_id, 0) - amount
    return collected


def _cured_after(entry: dict[int, dict], end: date | None) -> set[int]:
    if not entry:
        return set()
    at_m0 = set(AccountPosition.objects.filter(account_id__in=list(entry), bucket="M0")
                .values_list("account_id", flat=True))
    changes = BucketChange.objects.filter(account_id__in=list(at_m0), to_bucket="M0")
    if end is not None:
        changes = changes.filter(changed_on__lte=end)
    return {account_id for account_id, changed_on in changes.values_list("account_id",
                                                                         "changed_on")
            if changed_on > entry[account_id]["first"]}


def challenger_totals(report: ChallengerReport) -> dict:
    """The report as plain values (for JSON and tables)."""
    def arm(result: ArmResult) -> dict:
        return {"arm": result.arm, "accounts": result.accounts,
                "collected_minor": result.collected_minor,
                "mean_collected_minor": round(result.mean_collected_minor, 2),
                "cured": result.cured, "cure_rate": round(result.cure_rate, 4),
                "contacts": result.contacts, "contact_cost_minor": result.contact_cost_minor}
    return {
        "test": report.test.name, "champion_strategy": report.test.champion.label,
        "challenger_strategy": report.test.challenger.label,
        "share_percent": str(report.test.share_percent), "start": str(report.start),
        "end": str(report.end) if report.end else None,
        "arms": [arm(report.champion), arm(report.challenger)],
        "cure_rate_p_value": report.cure_rate_p_value,
        "collected_p_value": report.collected_p_value,
    }

