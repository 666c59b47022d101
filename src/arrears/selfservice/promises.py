"""A promise to pay made in the portal: the arrangements app's own service and rules (the
same limits as a collector's promise), recorded as the cardholder's."""

from datetime import date

from django.utils.translation import gettext as _

from arrears.arrangements.models import Promise
from arrears.arrangements.services import promise_take
from arrears.audit.services import audit_record
from arrears.portfolio.models import Account


def promise_make(account: Account, *, amount_minor: int, due_date: date,
                 client: str = "") -> Promise:
    """Record the cardholder's promise; :class:`ArrangementError` says what is wrong."""
    promise = promise_take(account, amount_minor=amount_minor, due_date=due_date, actor=None,
                           note=_("Made by the cardholder in self-service"))
    audit_record(actor=None, action="selfservice_promise", object_type="account",
                 object_id=account.external_id, system="cardholder", client=client,
                 details={"promise": promise.pk, "amount_minor": amount_minor,
                          "due_date": due_date.isoformat()})
    return promise
