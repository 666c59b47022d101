"""Reads of the recovery app: which agencies may receive accounts, who may see which
placements, an agency user's agency, the accounts a batch would start from."""

from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet

from arrears.access import policy
from arrears.batch.models import Decision, DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.recovery.models import Agency, AgencyMember, Placement

AGENCY_TREATMENT = "agency_placement"
ENTRUSTMENT_TEMPLATE = "CN-AGENCY"
INSPECTION_MONTHS = 12
CHUNK = 10_000


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def agencies_eligible(as_of: date) -> QuerySet[Agency]:
    """The agencies a batch offers accounts to: those that would pass CN-15 on ``as_of``
    (approved, contract in force, inspected within twelve months). The gate still answers for
    every placement; this only keeps the allocation from dealing accounts to an agency whose
    every placement the gate would refuse."""
    return (Agency.objects.filter(status=Agency.Status.APPROVED, contract_from__lte=as_of,
                                  last_inspection_on__gte=_months_before(as_of,
                                                                         INSPECTION_MONTHS))
            .filter(Q(contract_until__isnull=True) | Q(contract_until__gte=as_of))
            .order_by("code"))


def agencies_with_counts() -> QuerySet[Agency]:
    return Agency.objects.annotate(
        active=Count("placements", filter=Q(placements__status=Placement.Status.ACTIVE)),
    ).order_by("code")


def rooms_of(agencies: list[Agency]) -> list[int]:
    """Each agency's room: its capacity less the accounts it holds now (one query)."""
    held = dict(Placement.objects.filter(agency__in=agencies, status=Placement.Status.ACTIVE)
                .values_list("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n"))
    return [max(agency.capacity - held.get(agency.pk, 0), 0) for agency in agencies]


def decision_run_latest() -> DecisionRun | None:
    return DecisionRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()


def accounts_to_place_from_run(run: DecisionRun) -> QuerySet:
    """Ids of the accounts the night decided to place with an agency (a sub-query)."""
    return Decision.objects.filter(run=run, treatment=AGENCY_TREATMENT).values("account_id")


def entrustment_notices(account_ids) -> dict[int, datetime]:
    """When each account's debtor was first sent the entrustment notice (CN-14): the
    ``CN-AGENCY`` letter the night's agency_placement decision queues, once it was sent. Asked
    in chunks, so that a large batch stays within SQLite's limit on a statement's parameters."""
    found: dict[int, datetime] = {}
    ids = list(account_ids)
    for start in range(0, len(ids), CHUNK):
        found.update(OutboxMessage.objects.filter(
            account_id__in=ids[start:start + CHUNK], template_code=ENTRUSTMENT_TEMPLATE,
            status__in=(OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED),
            sent_at__isnull=False,
        ).values_list("account_id").annotate(first=Min("sent_at"))
            .values_list("account_id", "first"))
    return found


def agency_of(user) -> Agency | None:
    member = AgencyMember.objects.filter(user_id=getattr(user, "pk", None)).select_related(
        "agency").first()
    return member.agency if member else None


def placements_visible_to(user) -> QuerySet[Placement]:
    """The placements of the accounts ``user`` may read (every placement for the roles that
    see every account; for an agency's users, their agency's active ones only, never an
    earlier placement of the same account with another agency)."""
    rows = Placement.objects.select_related("account__cardholder", "account__product", "agency")
    if policy.sees_every_account(user):
        return rows
    own = rows.filter(agency__members__user_id=user.pk, status=Placement.Status.ACTIVE)
    return policy.within_reach(user, own)
