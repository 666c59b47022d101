"""What the API changes: payments and reversals received.

Payments and reversals are booked by the ledger services (which check them, make repeats
harmless and write the audit trail); here we only turn the request into their arguments and
keep the first answer, so that a retried request gets the very same body back.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.api.models import ApiReceipt
from arrears.api.payloads import account_payload, posting_payload
from arrears.api.selectors import account_get, product_today
from arrears.ledger.models import Posting
from arrears.ledger.selectors import account_summary
from arrears.ledger.services import PostingRejected, payment_post, reversal_post
from arrears.rules.money import AmountError, parse_amount


def _result(posting: Posting, created: bool) -> tuple[dict, bool]:
    """The response body for a booked posting: first-time bodies are kept for repeats."""
    if not created:
        receipt = ApiReceipt.objects.filter(posting=posting).first()
        if receipt:
            return receipt.body, False
    posting = Posting.objects.select_related("account__product", "reverses").get(pk=posting.pk)
    account = posting.account
    as_of = max(product_today(account.product), posting.posting_date)
    body = {
        "posting": posting_payload(posting),
        "account": account_payload(account_summary(account=account, as_of=as_of)),
    }
    if created:
        ApiReceipt.objects.create(posting=posting, body=body)
    return body, created


def payment_receive(
    *,
    actor,
    external_id: str,
    account_id: str,
    amount: str,
    posting_date: date | None = None,
    value_date: date | None = None,
) -> tuple[dict, bool]:
    """Book a payment sent by a system; returns the response body and whether it is new."""
    account = account_get(external_id=account_id)
    if account is None:
        raise PostingRejected(
            "unknown_account", _("There is no account %(id)s.") % {"id": account_id}
        )
    currency = account.product.currency
    try:
        amount_minor = parse_amount(amount, currency)
    except AmountError as error:
        raise PostingRejected(
            "invalid_amount",
            _('amount: %(reason)s. Write it as a string like "1234.56".') % {"reason": error},
        ) from None
    _refuse_another_clients_id(actor, external_id)
    with transaction.atomic():
        posting, created = payment_post(
            account=account,
            external_id=external_id,
            amount_minor=amount_minor,
            posting_date=posting_date or product_today(account.product),
            value_date=value_date,
            actor=actor,
            source=Posting.Source.API,
            check_limits=True,
        )
        return _result(posting, created)


def _refuse_another_clients_id(actor, external_id: str) -> None:
    """An external id booked by another client is a conflict: its answer is not ours to give."""
    taken = Posting.objects.filter(external_id=external_id).exclude(
        source=Posting.Source.API, actor=actor).exists()
    if taken:
        raise PostingRejected(
            "conflict",
            _("Posting %(id)s already exists and was not posted by this client; use another "
              "external id.") % {"id": external_id},
        )


def _check_reversible_by(actor, target: Posting | None) -> None:
    """Through the API a client reverses only a payment it posted itself (a bounced payment).

    Purchases, interest, fees and other clients' postings are corrected by a waiver in the
    workbench, where the authority matrix and its approvals apply.
    """
    if target is None:
        return
    own_payment = (target.kind == Posting.Kind.PAYMENT and target.source == Posting.Source.API
                   and target.actor_id == actor.pk)
    if not own_payment:
        raise PostingRejected(
            "reversal_not_allowed",
            _("Posting %(id)s is not a payment this client posted; through the API a client "
              "may reverse only its own payments. Interest, fees and other postings are waived "
              "in the workbench, with approval above the collector's authority.")
            % {"id": target.external_id},
        )


def reversal_receive(
    *, actor, external_id: str, reverses: str, reason: str, posting_date: date | None = None
) -> tuple[dict, bool]:
    """Undo a payment this client posted; returns the response body and whether it is new."""
    target = Posting.objects.select_related("account__product").filter(external_id=reverses)
    target = target.first()
    _check_reversible_by(actor, target)
    _refuse_another_clients_id(actor, external_id)
    with transaction.atomic():
        posting, created = reversal_post(
            external_id=external_id,
            reverses_external_id=reverses,
            posting_date=posting_date or product_today(target.account.product if target else None),
            reason=reason,
            actor=actor,
            source=Posting.Source.API,
            check_limits=True,
        )
        return _result(posting, created)
