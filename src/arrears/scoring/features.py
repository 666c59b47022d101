"""The snapshot's scoring features, and the Taiwan data set expressed in them.

The default scorecard is trained on the same columns the nightly snapshot carries
(``/work/notes/issue4.md``), computed for every Taiwan client with our own aging
(:mod:`arrears.rules.aging`) over the demo's conversion of the client
(:func:`arrears.scoring.taiwan.account_history`), so that a score means the same in training and
in the nightly batch.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from arrears.rules.aging import Payment, StatementDue
from arrears.scoring.taiwan import (
    DATA_LAST_MONTH,
    TW_TERMS,
    Timeline,
    account_history,
    account_id,
    client_delinquency,
    clients_read,
    taiwan_csv_path,
)

SCORE_FEATURES = (
    "days_past_due",
    "cycles_delinquent",
    "balance_minor",
    "past_due_minor",
    "credit_limit_minor",
    "utilisation",
    "days_since_last_payment",
    "payment_ratio_3m",
)
NEVER_PAID_DAYS = 9999
PAYMENT_RATIO_CAP = 10.0
TAIWAN_TARGET = "default_next_month"  # 1 = the client defaulted in the following month


@dataclass(frozen=True)
class PaymentFeatures:
    days_since_last_payment: int
    payment_ratio_3m: float


def payment_features(
    statements: Sequence[StatementDue], payments: Sequence[Payment], as_of: date
) -> PaymentFeatures:
    """The two payment-behaviour features of the snapshot on ``as_of``.

    ``days_since_last_payment``: days since the latest payment dated on or before ``as_of``
    (9999 if none). ``payment_ratio_3m``: the payments dated after the cycle date of the
    oldest of the last three statements (cycle date on or before ``as_of``) and on or before
    ``as_of``, divided by those statements' minimum due; 0 when nothing was due, capped at 10.
    The same definitions as the nightly snapshot (``arrears.batch.snapshot``).
    """
    paid = [p for p in payments if p.date <= as_of and p.amount > 0]
    since = (as_of - max(p.date for p in paid)).days if paid else NEVER_PAID_DAYS
    cycles = sorted((s for s in statements if s.cycle_date <= as_of), key=lambda s: s.cycle_date)
    last_three = cycles[-3:]
    due = sum(s.minimum_due for s in last_three)
    if due <= 0:
        return PaymentFeatures(since, 0.0)
    start = last_three[0].cycle_date
    window = sum(p.amount for p in paid if p.date > start)
    return PaymentFeatures(since, min(float(window) / float(due), PAYMENT_RATIO_CAP))


def taiwan_training_rows(*, source: Path | None = None, limit: int | None = None):
    """One dict per Taiwan client: the snapshot features on the data's last day + the target.

    The balance is the last statement's balance (no payment falls between it and the data's
    last day); the target is ``default.payment.next.month`` (1 = defaulted).
    """
    timeline = Timeline(DATA_LAST_MONTH)
    as_of = timeline.data_end
    for client in clients_read(source or taiwan_csv_path(), limit=limit):
        history = account_history(client, timeline, TW_TERMS)
        aging = client_delinquency(history, as_of, TW_TERMS)
        statements, payments = history.aging_inputs()
        behaviour = payment_features(statements, payments, as_of)
        balance = client.bills[-1]
        yield {
            "account_external_id": account_id(client.id),
            "bucket": aging.bucket,
            "days_past_due": aging.days_past_due,
            "cycles_delinquent": aging.cycles_delinquent,
            "balance_minor": balance,
            "past_due_minor": aging.past_due_amount,
            "credit_limit_minor": client.limit_minor,
            "utilisation": balance / client.limit_minor if client.limit_minor else 0.0,
            "days_since_last_payment": behaviour.days_since_last_payment,
            "payment_ratio_3m": behaviour.payment_ratio_3m,
            TAIWAN_TARGET: int(client.default_next_month),
        }


def taiwan_training_frame(*, source: Path | None = None, limit: int | None = None):
    """The Taiwan training rows as a pandas DataFrame with the snapshot's column types."""
    import pandas as pd

    frame = pd.DataFrame(list(taiwan_training_rows(source=source, limit=limit)))
    types = {"days_past_due": "int32", "cycles_delinquent": "int32", "balance_minor": "int64",
             "past_due_minor": "int64", "credit_limit_minor": "int64", "utilisation": "float64",
             "days_since_last_payment": "int32", "payment_ratio_3m": "float64",
             TAIWAN_TARGET: "int8"}
    return frame.astype(types)


def taiwan_training_file(*, out: Path, source: Path | None = None,
                         limit: int | None = None) -> int:
    """Write the Taiwan training rows to ``out`` (Parquet, or CSV by extension); rows written."""
    frame = taiwan_training_frame(source=source, limit=limit)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    return len(frame)
