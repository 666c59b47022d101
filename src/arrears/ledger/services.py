"""Writing to the ledger: payments, reversals and the nightly cycle.

Every posting goes through :func:`posting_create`, which checks it against the account's
folded ledger, makes repeats with the same external id harmless, and records who did it.
"""

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.audit.services import audit_record
from arrears.compliance.services import PostingAsk, posting_refusals_store, postings_ask
from arrears.ledger.models import (
    AccountPosition,
    BucketChange,
    CycleRun,
    InterestStop,
    Posting,
)
from arrears.ledger.selectors import (
    AccountLedger,
    BucketPolicy,
    bucket_policies,
    bucket_policy_for,
    delinquency_as_of,
    ledgers_for,
    product_terms,
)
from arrears.ledger.writer import AccountTerms, PostingBatch, WriteResult
from arrears.portfolio.models import Account
from arrears.portfolio.selectors import product_today
from arrears.rules.accrual import accrue
from arrears.rules.charges import ProductTerms
from arrears.rules.ledger import Entry, fold
from arrears.rules.limits import (
    LimitProblem,
    posting_problems,
)

ACCRUING_STATUSES = (Account.Status.ACTIVE, Account.Status.BLOCKED)
CYCLE_CHUNK = 2000


class PostingRejected(Exception):
    """A posting that was not booked; ``code`` is stable for machines, ``message`` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class CycleError(Exception):
    """The nightly cycle cannot run as asked."""


@dataclass(frozen=True)
class PostingRequest:
    account: Account
    external_id: str
    kind: str
    amount_minor: int
    posting_date: date
    value_date: date
    component: str = ""
    reverses: Posting | None = None
    reason: str = ""

    def same_as(self, posting: Posting) -> bool:
        return (
            posting.account_id == self.account.pk
            and posting.kind == self.kind
            and posting.amount_minor == self.amount_minor
            and posting.posting_date == self.posting_date
            and posting.value_date == self.value_date
            and posting.component == self.component
            and posting.reverses_id == (self.reverses.pk if self.reverses else None)
        )


def _existing(request: PostingRequest) -> Posting | None:
    posting = Posting.objects.filter(external_id=request.external_id).first()
    if posting is None:
        return None
    if not request.same_as(posting):
        raise PostingRejected(
            "conflict",
            _("Posting %(id)s already exists with different values; corrections are new "
              "postings (a reversal).") % {"id": request.external_id},
        )
    return posting


def _refuse(problem: LimitProblem | None) -> None:
    if problem is not None:
        raise PostingRejected(problem.code, problem.labelled)


def posting_limits_check(
    request: PostingRequest, *, owed_minor: int | None, today: date | None = None
) -> None:
    """Refuse a posting beyond the product's plausibility limits (amount, dates, a payment
    far above the balance ``owed_minor`` before it); the first problem is the message."""
    account = request.account
    problems = posting_problems(
        kind=request.kind, amount_minor=request.amount_minor,
        posting_date=request.posting_date, value_date=request.value_date,
        opened=account.open_date, today=today or product_today(account.product),
        limits=account.product.limits, currency=account.product.currency,
        owed_minor=owed_minor,
    )
    _refuse(problems[0] if problems else None)


def postings_write(requests: Iterable[PostingRequest], *, source: str, actor=None,
                   check_limits: bool = False) -> WriteResult:
    """Book many postings through the one writer (``arrears.ledger.writer``): the per-row
    rules, the batch checked in SQL, the ledger rules folded with the pure functions, one
    insert. Nothing is inserted when any row is refused; the result lists every problem,
    numbered by the position of the request (1 = the first)."""
    batch = PostingBatch(source=source, actor=actor, check_limits=check_limits,
                         owed=check_limits, fold_all=True)
    for line, request in enumerate(requests, start=1):
        account = request.account
        batch.add(line=line, external_id=request.external_id,
                  account=AccountTerms(account.pk, account.open_date, account.product),
                  kind=request.kind, amount_minor=request.amount_minor,
                  posting_date=request.posting_date, value_date=request.value_date,
                  component=request.component,
                  reverses=request.reverses.external_id if request.reverses else "",
                  reason=request.reason)
    with transaction.atomic():
        return batch.finish(insert=True, all_or_nothing=True)


def posting_create(
    *, request: PostingRequest, actor=None, source: str, check_limits: bool = False
) -> tuple[Posting, bool]:
    """Book one posting; a repeat of the same external id returns the first one unchanged.

    The one-row call of the posting writer (``arrears.ledger.writer.PostingBatch``) that file
    imports use too, so the same rules refuse the same posting with the same reason: the
    product's largest posting, the ledger rules (a waiver above what is owed ...) and the hard
    balance ceiling always apply; ``check_limits`` (every boundary where a person or another
    system sends a posting) also refuses dates before the account was opened or after today,
    and a payment far above the balance.
    """
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=request.account.pk).first()
        existing = _existing(request)
        if existing:
            return existing, False
        account = request.account
        batch = PostingBatch(source=source, actor=actor, check_limits=check_limits,
                             owed=check_limits, fold_all=True)
        batch.add(line=1, external_id=request.external_id,
                  account=AccountTerms(account.pk, account.open_date, account.product),
                  kind=request.kind, amount_minor=request.amount_minor,
                  posting_date=request.posting_date, value_date=request.value_date,
                  component=request.component,
                  reverses=request.reverses.external_id if request.reverses else "",
                  reason=request.reason)
        result = batch.finish(insert=True, all_or_nothing=True)
        if result.problems:
            problem = result.problems[0]
            raise PostingRejected(problem.code, problem.labelled)
        posting = Posting.objects.get(external_id=request.external_id)
        audit_record(
            actor=actor,
            action=f"posting_{request.kind}",
            object_type="account",
            object_id=request.account.external_id,
            details={"posting": posting.external_id, "amount_minor": posting.amount_minor,
                     "source": source},
            system=source,
        )
    return posting, True


def payment_post(
    *,
    account: Account,
    external_id: str,
    amount_minor: int,
    posting_date: date,
    value_date: date | None = None,
    actor=None,
    source: str = "api",
    check_limits: bool = False,
) -> tuple[Posting, bool]:
    """Book a payment received from the cardholder."""
    if amount_minor <= 0:
        raise PostingRejected("invalid_amount", _("A payment must be greater than zero."))
    request = PostingRequest(
        account, external_id, Posting.Kind.PAYMENT, amount_minor, posting_date,
        value_date or posting_date,
    )
    return posting_create(request=request, actor=actor, source=source, check_limits=check_limits)


def reversal_post(
    *,
    external_id: str,
    reverses_external_id: str,
    posting_date: date,
    reason: str,
    actor=None,
    source: str = "api",
    check_limits: bool = False,
) -> tuple[Posting, bool]:
    """Undo a posting exactly (a bounced payment, a fee charged in error)."""
    target = Posting.objects.select_related("account__product").filter(
        external_id=reverses_external_id
    ).first()
    if target is None:
        raise PostingRejected(
            "unknown_posting", _("There is no posting %(id)s.") % {"id": reverses_external_id}
        )
    repeat = Posting.objects.filter(external_id=external_id, reverses=target).first()
    if repeat is None and Posting.objects.filter(reverses=target).exists():
        raise PostingRejected(
            "already_reversed",
            _("Posting %(id)s has already been reversed.") % {"id": reverses_external_id},
        )
    if posting_date < target.posting_date:
        raise PostingRejected(
            "invalid_date", _("A reversal cannot be dated before the posting it reverses.")
        )
    request = PostingRequest(
        target.account, external_id, Posting.Kind.REVERSAL, abs(target.amount_minor),
        posting_date, posting_date, reverses=target, reason=reason,
    )
    return posting_create(request=request, actor=actor, source=source, check_limits=check_limits)


def interest_stop_open(*, account: Account, first_day: date, reference: str) -> InterestStop:
    """Stop interest on ``account`` from ``first_day`` on (a plan with interest stopped); the
    cycle then posts none for those days. Repeating the same reference changes nothing."""
    stop, _created = InterestStop.objects.get_or_create(
        reference=reference, defaults={"account": account, "first_day": first_day})
    return stop


def interest_stop_close(*, reference: str, last_day: date) -> None:
    """Let interest run again after ``last_day`` (the plan closed that day)."""
    InterestStop.objects.filter(reference=reference, last_day__isnull=True).update(
        last_day=last_day)


def _accrual_postings(
    account: Account, ledger: AccountLedger, terms: ProductTerms, start: date, as_of: date
) -> list[Posting]:
    accruals = accrue(
        entries=ledger.entries, statements=ledger.statements, terms=terms, start=start,
        end=as_of, fees_charged_for=ledger.fees_charged_for,
        interest_stops=ledger.interest_stops,
    )
    postings = []
    for accrual in accruals:
        if accrual.kind == "interest":
            external_id = f"INT-{account.external_id}-{accrual.posting_date:%Y%m%d}"
        else:
            external_id = f"FEE-{account.external_id}-{accrual.statement_cycle_date:%Y%m%d}"
        postings.append(Posting(
            external_id=external_id, account=account, kind=accrual.kind,
            amount_minor=accrual.amount, posting_date=accrual.posting_date,
            value_date=accrual.posting_date, statement_cycle_date=accrual.statement_cycle_date,
            source=Posting.Source.CYCLE,
        ))
    return postings


def _position_for(
    account: Account, ledger: AccountLedger, terms: ProductTerms, as_of: date,
    policy: BucketPolicy | None = None,
) -> AccountPosition:
    balances = fold(ledger.entries, terms.allocation_order, through=as_of).balances
    late = delinquency_as_of(ledger, as_of, terms, *((policy.buckets,) if policy else ()))
    return AccountPosition(
        account=account, as_of=as_of, principal_minor=balances.principal,
        interest_minor=balances.interest, fees_minor=balances.fees,
        past_due_minor=late.past_due_amount, days_past_due=late.days_past_due,
        cycles_delinquent=late.cycles_delinquent, bucket=late.bucket, accrued_through=as_of,
    )


def _cycle_chunk(accounts: list[Account], as_of: date, run: CycleRun, counts: Counter,
                 gate_cache: dict, policies: dict) -> None:
    ledgers = ledgers_for([a.pk for a in accounts])
    previous = AccountPosition.objects.in_bulk([a.pk for a in accounts])
    coverage = list(CycleRun.objects.filter(accounts_through__isnull=False)
                    .exclude(pk=run.pk).values_list("accounts_through", "as_of"))
    new_postings, positions, changes = [], [], []
    terms_by_product: dict[int, ProductTerms] = {}
    accrued_by_account: dict[int, list[Posting]] = {}
    for account in accounts:
        if account.product_id not in terms_by_product:
            terms_by_product[account.product_id] = product_terms(account.product)
        before = previous.get(account.pk)
        start = before.accrued_through if before and before.accrued_through else None
        if start is not None:  # lifted to the runs that covered it (see position_as_of)
            start = max([start] + [d for last, d in coverage if last >= account.pk])
        start = as_of if start is None else start + timedelta(days=1)
        if account.status in ACCRUING_STATUSES and start <= as_of:
            accrued_by_account[account.pk] = _accrual_postings(
                account, ledgers[account.pk], terms_by_product[account.product_id], start, as_of)
    allowed = _postings_the_gate_allows(accrued_by_account, run, gate_cache)
    for account in accounts:
        ledger = ledgers[account.pk]
        terms = terms_by_product[account.product_id]
        before = previous.get(account.pk)
        accrued = allowed.get(account.pk, [])
        new_postings += accrued
        ledger.entries.extend(
            Entry(-(n + 1), p.kind, p.amount_minor, p.posting_date)
            for n, p in enumerate(accrued)
        )
        policy = bucket_policy_for(policies, account.product_id)
        position = _position_for(account, ledger, terms, as_of, policy)
        positions.append(position)
        counts[position.bucket] += 1
        old_bucket = before.bucket if before else "M0"
        if old_bucket != position.bucket:
            changes.append(BucketChange(
                account=account, changed_on=as_of, from_bucket=old_bucket,
                to_bucket=position.bucket, days_past_due=position.days_past_due, cycle_run=run,
                policy_id=policy.policy_id,
            ))
    already = set(
        Posting.objects.filter(external_id__in=[p.external_id for p in new_postings])
        .values_list("external_id", flat=True)
    )
    if already:
        raise CycleError(
            _("Accrual postings %(ids)s exist but the account positions do not say so; "
              "the positions were changed outside the cycle.") % {"ids": sorted(already)[:5]}
        )
    with transaction.atomic():
        Posting.objects.bulk_create(new_postings, batch_size=1000)
        AccountPosition.objects.filter(account_id__in=[a.pk for a in accounts]).delete()
        AccountPosition.objects.bulk_create(positions, batch_size=1000)
        BucketChange.objects.bulk_create(changes, batch_size=1000, ignore_conflicts=True)
        _refusals_store(gate_cache, run)
        run.accounts_through = max(a.pk for a in accounts)
        CycleRun.objects.filter(pk=run.pk).update(accounts_through=run.accounts_through)
    run.interest_postings += sum(1 for p in new_postings if p.kind == Posting.Kind.INTEREST)
    run.fee_postings += sum(1 for p in new_postings if p.kind == Posting.Kind.LATE_FEE)


GATE_REFUSED = "refused"


def _postings_the_gate_allows(accrued_by_account: dict[int, list[Posting]], run: CycleRun,
                              gate_cache: dict) -> dict[int, list[Posting]]:
    """The accruals the compliance gate allows (fee_post / interest_post, e.g. none during a
    UK breathing space), asked set at a time (``postings_ask``); the refused ones are kept in
    ``gate_cache[GATE_REFUSED]`` to be stored with the chunk."""
    asks, owners = [], []
    for postings in accrued_by_account.values():
        for posting in postings:
            is_interest = posting.kind == Posting.Kind.INTEREST
            asks.append(PostingAsk(posting.account, "interest_post" if is_interest else
                                   "fee_post", posting.posting_date,
                                   "" if is_interest else "late_fee"))
            owners.append(posting)
    answers = postings_ask(asks, answers_cache=gate_cache.setdefault("answers", {}))
    allowed: dict[int, list[Posting]] = {}
    for ask, posting, answer in zip(asks, owners, answers, strict=True):
        if answer.verdict == "allow":
            allowed.setdefault(posting.account_id, []).append(posting)
        else:
            gate_cache.setdefault(GATE_REFUSED, []).append((ask, answer))
    return allowed


def _refusals_store(gate_cache: dict, run: CycleRun) -> None:
    refused = gate_cache.pop(GATE_REFUSED, [])
    gate_cache["refused_count"] = gate_cache.get("refused_count", 0) + posting_refusals_store(
        refused, reference=f"cycle:{run.pk}")


def cycle_run_per_account(*, as_of: date, actor=None, progress: bool = False) -> CycleRun:
    """The cycle as it was before the set-based one (``arrears.ledger.cycle.cycle_run``): the
    pure rules account by account. Kept as the reference the set-based cycle is tested and
    benchmarked against; the night uses the set-based one.

    Re-age every account as of ``as_of`` and post the interest and fees due up to that day,
    each posting only with the compliance gate's allowing answer (fee_post, interest_post);
    a refused posting is not booked, ever (interest frozen, not deferred), and its answer is
    stored.

    Days missed since an account's last cycle are caught up; re-running the same date posts
    nothing new and leaves the positions as they were. A date before the last run is refused
    so that positions never move back in time.
    """
    latest = CycleRun.objects.filter(finished_at__isnull=False).order_by("-as_of").first()
    if latest and as_of < latest.as_of:
        raise CycleError(
            _("The cycle already ran for %(last)s; it cannot run for an earlier date "
              "(%(asked)s).") % {"last": latest.as_of, "asked": as_of}
        )
    started = time.monotonic()
    user = actor if getattr(actor, "is_authenticated", False) else None
    run = CycleRun.objects.create(as_of=as_of, started_at=timezone.now(), actor=user)
    counts: Counter = Counter()
    gate_cache: dict = {}
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    policies = bucket_policies(as_of)
    bar = tqdm(total=len(ids), unit="acct", desc=_("Nightly cycle"), disable=not progress)
    for offset in range(0, len(ids), CYCLE_CHUNK):
        chunk_ids = ids[offset:offset + CYCLE_CHUNK]
        accounts = list(Account.objects.filter(pk__in=chunk_ids)
                        .select_related("product", "cardholder"))
        _cycle_chunk(accounts, as_of, run, counts, gate_cache, policies)
        bar.update(len(accounts))
    bar.close()
    run.accounts = len(ids)
    run.counts_by_bucket = dict(counts)
    run.finished_at = timezone.now()
    run.save()
    audit_record(actor=actor, action="cycle_run", object_type="cycle", object_id=run.pk,
                 details={"as_of": as_of.isoformat(), "accounts": run.accounts,
                          "interest_postings": run.interest_postings,
                          "fee_postings": run.fee_postings,
                          "postings_refused_by_gate": gate_cache.get("refused_count", 0),
                          "seconds": round(time.monotonic() - started, 3)}, system="cycle")
    return run
