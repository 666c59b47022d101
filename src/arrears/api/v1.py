"""API version 1: payments and reversals from the card system, account aging and payoff."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from arrears.api import schemas
from arrears.api.auth import ApiTokenAuth, require_permission
from arrears.api.errors import ApiError, refuse_other_methods
from arrears.api.payloads import account_payload, payoff_payload
from arrears.api.selectors import account_get, product_today
from arrears.api.services import payment_receive, reversal_receive
from arrears.ledger.selectors import account_summary, quote_horizon
from arrears.ledger.services import PostingRejected
from arrears.portfolio.models import Account

POST_PERMISSION = "ledger.add_posting"
READ_PERMISSION = "portfolio.view_account"

# PostingRejected codes of the ledger services → HTTP status; every other code is a 400.
REJECTION_STATUS = {
    "unknown_account": 404,
    "unknown_posting": 404,
    "reversal_not_allowed": 403,
    "conflict": 409,
    "already_reversed": 409,
}

# Every error an endpoint can answer, so that the OpenAPI schema says what really comes back:
# 413 for a body above the limit and 503 (with Retry-After) for a busy database, anywhere.
ERRORS = {
    400: schemas.ValidationErrorOut,
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
    404: schemas.ErrorOut,
    413: schemas.ErrorOut,
    503: schemas.ErrorOut,
}
POST_ERRORS = {**ERRORS, 409: schemas.ErrorOut}

router = Router(auth=ApiTokenAuth(), tags=["v1"])


def _rejected(error: PostingRejected) -> ApiError:
    return ApiError(REJECTION_STATUS.get(error.code, 400), error.code, error.message)


def _account(account_id: str) -> Account:
    account = account_get(external_id=account_id)
    if account is None:
        message = _("There is no account %(id)s.") % {"id": account_id}
        raise ApiError(404, "unknown_account", message)
    return account


@router.post(
    "/payments",
    response={201: schemas.PostingResultOut, 200: schemas.PostingResultOut, **POST_ERRORS},
    summary="Post a payment",
)
def payment_create(request: HttpRequest, payload: schemas.PaymentIn):
    """Book a payment. A repeat with the same `external_id` and the same values answers 200
    with the body of the first call; the same `external_id` with other values is a 409."""
    require_permission(request, POST_PERMISSION)
    try:
        body, created = payment_receive(actor=request.auth, **payload.model_dump())
    except PostingRejected as error:
        raise _rejected(error) from None
    return Status(201 if created else 200, body)


@router.post(
    "/reversals",
    response={201: schemas.PostingResultOut, 200: schemas.PostingResultOut, **POST_ERRORS},
    summary="Reverse a posting",
)
def reversal_create(request: HttpRequest, payload: schemas.ReversalIn):
    """Undo a posting (a bounced payment, say) exactly. 404 if the posting is unknown, 409 if it
    has been reversed already; a repeat of the same reversal answers 200 with the first body."""
    require_permission(request, POST_PERMISSION)
    try:
        body, created = reversal_receive(actor=request.auth, **payload.model_dump())
    except PostingRejected as error:
        raise _rejected(error) from None
    return Status(201 if created else 200, body)


@router.get(
    "/accounts/{account_id}",
    response={200: schemas.AccountOut, **ERRORS},
    summary="Aging and balances of an account",
)
def account_detail(
    request: HttpRequest, account_id: schemas.StorableStr, as_of: Query[date | None] = None
):
    """Bucket, days past due, cycles delinquent, past-due amount and balances on `as_of`
    (default: today in the product's time zone; a future date, or one before the account was
    opened, is refused)."""
    require_permission(request, READ_PERMISSION)
    account = _account(account_id)
    today = product_today(account.product)
    as_of = as_of or today
    if as_of > today:
        raise ApiError(
            400, "as_of_in_future",
            _("as_of cannot be after today (%(today)s); use the payoff quote to look ahead.")
            % {"today": today},
        )
    if as_of < account.open_date:
        raise ApiError(
            400, "as_of_before_open",
            _("as_of cannot be before the account was opened (%(opened)s).")
            % {"opened": account.open_date},
        )
    return account_payload(account_summary(account=account, as_of=as_of))


@router.get(
    "/accounts/{account_id}/payoff",
    response={200: schemas.PayoffOut, **ERRORS},
    summary="Payoff quote of an account",
)
def account_payoff(
    request: HttpRequest,
    account_id: schemas.StorableStr,
    payoff_date: Annotated[date | None, Query(alias="date")] = None,
):
    """What pays the account off in full on `date` (default today in the product's time zone),
    including the interest and fees that will accrue until then. A date before today is
    refused: a quote is an amount the cardholder can still pay; so is one beyond the product's
    quote horizon (366 days unless the product says otherwise)."""
    require_permission(request, READ_PERMISSION)
    account = _account(account_id)
    today = product_today(account.product)
    payoff_date = payoff_date or today
    if payoff_date < today:
        raise ApiError(
            400, "payoff_date_in_past",
            _("The payoff date cannot be before today (%(today)s).") % {"today": today},
        )
    if payoff_date > quote_horizon(account, today):
        raise ApiError(
            400, "payoff_date_too_far",
            _("The payoff date can be at most %(days)d days ahead (%(last)s).")
            % {"days": account.product.limits.horizon, "last": quote_horizon(account, today)},
        )
    summary = account_summary(account=account, as_of=today, payoff_date=payoff_date)
    return payoff_payload(summary)


refuse_other_methods(router)
