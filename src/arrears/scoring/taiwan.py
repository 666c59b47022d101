"""The Taiwan "default of credit card clients" data set as a demo portfolio.

30,000 real cardholders of a Taiwanese bank, April to September 2005 (UCI data set 350, CC BY
4.0, DOI 10.24432/C55S3H). The file ships inside this package, ``data/`` (attribution and the
changes made in ``data/NOTICE.md``); ``$ARREARS_TAIWAN_CSV`` reads another copy. Each client becomes
one cardholder with one account of product ``TW-STD``; the six monthly bills become statements
and the six monthly payments become payments. Postings that stand for the month's net spending
make every statement balance equal the bill exactly, and the minimum due on each statement is
computed with our own rules (``arrears.rules.charges`` and ``arrears.rules.aging``), so the
demo's minimums and aging are consistent with the system that ages them.

The data set holds no personal data; names, ID numbers, phones, e-mail and addresses are
synthetic (Faker, ``zh_TW``, seeded per client). ``SEX``, ``EDUCATION`` and ``MARRIAGE`` are
not used; ``AGE`` only sets a date of birth.

Calendar: the data's months keep their order and spacing, but its last month (September 2005)
is mapped to an *anchor* month so the demo looks current. Statements are dated on the
product's statement day (20th) and due 25 days later; the payments of a month are posted on
its 10th and pay the previous month's statement (due on the 15th).
"""

import csv
import gzip
import io
import os
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TextIO

from django.utils.translation import gettext as _
from faker import Faker

from arrears.rules.aging import Payment, StatementDue, delinquency
from arrears.rules.charges import ProductTerms, minimum_payment
from arrears.rules.money import AmountError, exponent_for, parse_amount

TAIWAN_CSV_ENV = "ARREARS_TAIWAN_CSV"
SHIPPED_FILE = "taiwan_credit_card_clients.csv.gz"
CURRENCY = "TWD"
MINOR_DIGITS = exponent_for(CURRENCY)
MINOR_PER_MAJOR = 10**MINOR_DIGITS
MONTHS = 6  # April .. September 2005
DATA_LAST_MONTH = date(2005, 9, 1)
FAKER_SEED = 350  # the UCI data set number
DAYS_AFTER_LAST_STATEMENT = 10

# Column suffixes in the file, oldest month first: PAY_6/BILL_AMT6/PAY_AMT6 are April 2005.
PAY_STATUS_COLUMNS = ("PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0")
BILL_COLUMNS = tuple(f"BILL_AMT{n}" for n in range(6, 0, -1))
PAID_COLUMNS = tuple(f"PAY_AMT{n}" for n in range(6, 0, -1))
REQUIRED_COLUMNS = ("ID", "LIMIT_BAL", "AGE", *PAY_STATUS_COLUMNS, *BILL_COLUMNS, *PAID_COLUMNS,
                    "default.payment.next.month")

# The demo product. Values chosen to resemble a Taiwanese general-purpose card today:
# revolving interest 0.04 % a day (14.6 % a year, under the 15 % cap in force since 2015);
# a flat NT$ 300 late fee (rate 1 with a NT$ 300 cap = min(unpaid minimum, NT$ 300));
# minimum payment 2 % of the balance plus any past-due minimum, at least NT$ 100 (never more
# than the balance) -- the level Taiwanese issuers used in 2005, and the one this data
# agrees with: at 10 % most of its revolvers would be late (docs/demo-portfolio.md);
# statements on the 20th, due 25 days later; an unpaid total up to NT$ 50 (half the floor,
# so a wholly missed minimum always counts) does not make an account late.
TW_PRODUCT = {
    "code": "TW-STD",
    "name": "Taiwan standard card (demo)",
    "currency": CURRENCY,
    "time_zone": "Asia/Taipei",
    "daily_interest_rate": Decimal("0.0004"),
    "late_fee_rate": Decimal("1"),
    "late_fee_min_minor": 0,
    "late_fee_max_minor": 30000,
    "min_payment_rate": Decimal("0.02"),
    "min_payment_floor_minor": 10000,
    "grace_days": 0,
    "past_due_tolerance_minor": 5000,
    "allocation_order": "fees,interest,principal",
    "statement_day": 20,
    "due_days": 25,
}

TW_TERMS = ProductTerms(
    daily_interest_rate=TW_PRODUCT["daily_interest_rate"],
    late_fee_rate=TW_PRODUCT["late_fee_rate"],
    late_fee_min=TW_PRODUCT["late_fee_min_minor"],
    late_fee_max=TW_PRODUCT["late_fee_max_minor"],
    min_payment_rate=TW_PRODUCT["min_payment_rate"],
    min_payment_floor=TW_PRODUCT["min_payment_floor_minor"],
    grace_days=TW_PRODUCT["grace_days"],
    past_due_tolerance=TW_PRODUCT["past_due_tolerance_minor"],
)

IMPORT_KINDS = ("cardholders", "contacts", "accounts", "statements", "postings")
HEADERS = {
    "cardholders": ("external_id", "name", "national_id", "date_of_birth", "monthly_income",
                    "employer", "flags", "language", "time_zone"),
    "contacts": ("external_id", "cardholder_id", "kind", "value", "verified", "source",
                 "relation", "contact_name"),
    "accounts": ("external_id", "cardholder_id", "product", "credit_limit", "open_date",
                 "status"),
    "statements": ("external_id", "account_id", "cycle_date", "due_date", "statement_balance",
                   "minimum_due"),
    "postings": ("external_id", "account_id", "kind", "amount", "posting_date", "value_date",
                 "component", "reverses", "reason", "statement_cycle_date"),
}
RELATIONS = (("spouse", 30), ("parent", 30), ("sibling", 20), ("friend", 10),
             ("colleague", 5), ("relative", 5))


class TaiwanDataError(ValueError):
    """The Taiwan file is missing or a row cannot be read; the message names line and column."""


def taiwan_csv_path() -> Path:
    """The Taiwan file: ``$ARREARS_TAIWAN_CSV`` when set (the original ``UCI_Credit_Card.csv``
    or a gzip of it), else the copy shipped inside this package (``data/NOTICE.md``)."""
    explicit = os.environ.get(TAIWAN_CSV_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise TaiwanDataError(_("%(var)s=%(path)s is not a file") % {"var": TAIWAN_CSV_ENV,
                                                                      "path": explicit})
        return path
    shipped = Path(os.fspath(resources.files("arrears.scoring").joinpath("data", SHIPPED_FILE)))
    if not shipped.is_file():
        raise TaiwanDataError(
            _("The demo data file %(path)s that comes with Arrears is missing: reinstall "
              "Arrears, or set %(var)s to a copy of UCI_Credit_Card.csv.")
            % {"path": shipped, "var": TAIWAN_CSV_ENV})
    return shipped


@contextmanager
def taiwan_open(path: Path) -> Iterator[TextIO]:
    """The file as text, uncompressed on the fly when its name ends in ``.gz``."""
    with open(path, "rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
        with io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") as text:
            yield text


@dataclass(frozen=True)
class TaiwanClient:
    """One row of the file; months are oldest first (index 0 = April, 5 = September 2005)."""

    id: int
    line: int
    limit_minor: int
    age: int
    pay_status: tuple[int, ...]
    bills: tuple[int, ...]
    paid: tuple[int, ...]
    default_next_month: bool

    @property
    def last_pay_status(self) -> int:
        """``PAY_0``: the repayment status of September 2005."""
        return self.pay_status[-1]


def _integer(text: str, line: int, column: str) -> int:
    if text.lstrip("-").isdecimal() and text.isascii():
        return int(text)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise TaiwanDataError(_("line %(line)d, column %(column)s: %(text)r is not a number")
                              % {"line": line, "column": column, "text": text}) from None
    if value != value.to_integral_value():
        raise TaiwanDataError(_("line %(line)d, column %(column)s: %(text)r is not a whole "
                                "number") % {"line": line, "column": column, "text": text})
    return int(value)


def _money(text: str, line: int, column: str) -> int:
    if text.lstrip("-").isdecimal() and text.isascii():  # most cells: no need for Decimal
        return int(text) * MINOR_PER_MAJOR
    try:
        return parse_amount(text, CURRENCY)
    except AmountError as error:
        raise TaiwanDataError(_("line %(line)d, column %(column)s: %(error)s")
                              % {"line": line, "column": column, "error": error}) from None


def clients_read(path: Path, *, limit: int | None = None) -> Iterator[TaiwanClient]:
    """The clients of the file in file order (``5e+05`` and a missing final newline are fine;
    a ``.gz`` file is read uncompressed)."""
    try:
        with taiwan_open(path) as handle:
            yield from _clients(csv.DictReader(handle), limit)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise TaiwanDataError(_("%(path)s cannot be read as the Taiwan CSV file: %(error)s")
                              % {"path": path, "error": error}) from None


def _clients(reader: csv.DictReader, limit: int | None) -> Iterator[TaiwanClient]:
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise TaiwanDataError(_("line 1: missing columns %(columns)s")
                              % {"columns": ", ".join(missing)})
    seen: set[int] = set()
    for count, row in enumerate(reader):
        if limit is not None and count >= limit:
            return
        line = reader.line_num
        client_id = _integer(row["ID"], line, "ID")
        if client_id in seen:
            raise TaiwanDataError(_("line %(line)d, column ID: ID %(id)d appears twice")
                                  % {"line": line, "id": client_id})
        seen.add(client_id)
        paid = tuple(_money(row[c], line, c) for c in PAID_COLUMNS)
        if any(p < 0 for p in paid):
            raise TaiwanDataError(_("line %(line)d: a PAY_AMT is negative")
                                  % {"line": line})
        yield TaiwanClient(
            id=client_id,
            line=line,
            limit_minor=_money(row["LIMIT_BAL"], line, "LIMIT_BAL"),
            age=_integer(row["AGE"], line, "AGE"),
            pay_status=tuple(_integer(row[c], line, c) for c in PAY_STATUS_COLUMNS),
            bills=tuple(_money(row[c], line, c) for c in BILL_COLUMNS),
            paid=paid,
            default_next_month=_integer(row["default.payment.next.month"], line,
                                        "default.payment.next.month") == 1,
        )


@cache
def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Timeline:
    """The demo calendar: month index 0 (April 2005) .. 5 (September 2005 → ``anchor``)."""

    anchor: date  # first day of the month that stands for September 2005
    statement_day: int = TW_PRODUCT["statement_day"]
    due_days: int = TW_PRODUCT["due_days"]
    payment_day: int = 10
    spending_day: int = 1

    def __post_init__(self):
        object.__setattr__(self, "anchor", self.anchor.replace(day=1))

    def month(self, index: int) -> date:
        return _add_months(self.anchor, index - (MONTHS - 1))

    def cycle_date(self, index: int) -> date:
        return self.month(index).replace(day=self.statement_day)

    def due_date(self, index: int) -> date:
        return self.cycle_date(index) + timedelta(days=self.due_days)

    def payment_date(self, index: int) -> date:
        return self.month(index).replace(day=self.payment_day)

    def spending_date(self, index: int) -> date:
        return self.month(index).replace(day=self.spending_day)

    @property
    def opening_date(self) -> date:
        """The balance brought forward from before the data starts is posted here."""
        return self.cycle_date(-1)

    @property
    def data_end(self) -> date:
        """The last day the data speaks for: the last statement + 10 days (before next payment)."""
        return self.cycle_date(MONTHS - 1) + timedelta(days=DAYS_AFTER_LAST_STATEMENT)

    def to_data_month(self, month: date) -> date:
        """The 2005 month a demo month stands for."""
        months = (month.year - self.anchor.year) * 12 + month.month - self.anchor.month
        return _add_months(DATA_LAST_MONTH, months)


def default_anchor(today: date) -> date:
    """The latest month whose statement day + 10 days is not after ``today``."""
    anchor = today.replace(day=1)
    while Timeline(anchor).data_end > today:
        anchor = _add_months(anchor, -1)
    return anchor


def parse_anchor(text: str) -> date:
    """``"2026-10"`` → ``date(2026, 10, 1)``."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise TaiwanDataError(_("%(text)r is not a month; write it as YYYY-MM")
                              % {"text": text}) from None


@dataclass(frozen=True)
class StatementRow:
    external_id: str
    cycle_date: date
    due_date: date
    balance: int
    minimum_due: int


@dataclass(frozen=True)
class PostingRow:
    external_id: str
    kind: str
    amount: int
    posting_date: date
    component: str = ""
    reason: str = ""


@dataclass(frozen=True)
class AccountHistory:
    client: TaiwanClient
    statements: tuple[StatementRow, ...]
    postings: tuple[PostingRow, ...]

    def aging_inputs(self) -> tuple[list[StatementDue], list[Payment]]:
        statements = [StatementDue(s.cycle_date, s.due_date, s.minimum_due)
                      for s in self.statements]
        payments = [Payment(p.posting_date, p.amount) for p in self.postings
                    if p.kind == "payment"]
        return statements, payments


def account_id(client_id: int) -> str:
    return f"TW-A-{client_id}"


def cardholder_id(client_id: int) -> str:
    return f"TW-C-{client_id}"


def _balancing_posting(external_id: str, amount: int, on: date, reason: str) -> PostingRow:
    """A purchase, or a principal credit when ``amount`` is negative. ``reason`` is the card
    system's narrative, in Chinese like a mainland issuer's; the pages show it as written."""
    if amount > 0:
        return PostingRow(external_id, "purchase", amount, on, "", reason)
    return PostingRow(external_id, "adjustment", amount, on, "principal",
                      f"{reason}（贷记）")


def account_history(
    client: TaiwanClient, timeline: Timeline, terms: ProductTerms = TW_TERMS
) -> AccountHistory:
    """Statements and postings whose fold gives every bill exactly as the statement balance.

    Before statement 0: the opening balance (bill 0 plus the payment of month 0). Between
    statement k−1 and k: the payment of month k and the net spending bill k − bill k−1 +
    payment k (a purchase, or a principal credit adjustment when negative). Zero amounts are
    skipped. Minimums replay our own aging over the earlier statements and payments.
    """
    acct = account_id(client.id)
    postings: list[PostingRow] = []
    opening = client.bills[0] + client.paid[0]
    if opening:
        postings.append(_balancing_posting(f"{acct}-OPEN", opening, timeline.opening_date,
                                           "上期余额结转"))
    for k in range(MONTHS):
        month = timeline.month(k)
        if k > 0:
            spending = client.bills[k] - client.bills[k - 1] + client.paid[k]
            if spending:
                postings.append(_balancing_posting(
                    f"{acct}-SPEND-{month:%Y%m}", spending, timeline.spending_date(k),
                    "本期净消费"))
        if client.paid[k]:
            postings.append(PostingRow(f"{acct}-PAY-{month:%Y%m}", "payment", client.paid[k],
                                       timeline.payment_date(k)))
    payments = [Payment(p.posting_date, p.amount) for p in postings if p.kind == "payment"]
    statements: list[StatementRow] = []
    for k in range(MONTHS):
        cycle = timeline.cycle_date(k)
        earlier = [StatementDue(s.cycle_date, s.due_date, s.minimum_due) for s in statements]
        past_due = delinquency(earlier, payments, cycle).past_due_amount
        minimum = minimum_payment(principal=client.bills[k], interest=0, fees=0,
                                  past_due=past_due, terms=terms)
        statements.append(StatementRow(f"{acct}-ST-{timeline.month(k):%Y%m}", cycle,
                                       timeline.due_date(k), client.bills[k], minimum))
    return AccountHistory(client, tuple(statements), tuple(postings))


def client_delinquency(history: AccountHistory, as_of: date, terms: ProductTerms = TW_TERMS):
    """Our aging of one converted client as of ``as_of`` with the pure rules."""
    statements, payments = history.aging_inputs()
    return delinquency(statements, payments, as_of, tolerance=terms.past_due_tolerance)


def _birth_date(age: int, at: date, rng: random.Random) -> date:
    """A date of birth that makes someone exactly ``age`` years old on ``at``."""
    try:
        base = at.replace(year=at.year - age - 1)
    except ValueError:  # 29 February
        base = at.replace(year=at.year - age - 1, day=28)
    return base + timedelta(days=rng.randint(1, 364))


def _major(minor: int) -> str:
    """``-123456`` → ``"-1234.56"``: what ``str(to_decimal(minor, "TWD"))`` gives, faster."""
    whole, cents = divmod(abs(minor), MINOR_PER_MAJOR)
    return f"{'-' if minor < 0 else ''}{whole}.{cents:0{MINOR_DIGITS}d}"


def _mobile(rng: random.Random) -> str:
    """A Taiwanese mobile number, 09 and eight digits."""
    return f"09{rng.randrange(100_000_000):08d}"


@dataclass(frozen=True)
class PersonRows:
    cardholder: dict
    contacts: list[dict]


def person_rows(client: TaiwanClient, timeline: Timeline, faker: Faker) -> PersonRows:
    """Synthetic personal data for one client, the same for the same client ID every time.

    ``AGE`` is the age in the data's last month, which the demo maps to the anchor month.
    """
    faker.seed_instance(FAKER_SEED * 100_000 + client.id)
    rng = random.Random(FAKER_SEED * 100_000 + client.id)
    holder = cardholder_id(client.id)
    income = max(client.limit_minor * 10 // rng.randint(20, 60) // 100000 * 100000, 2_800_000)
    cardholder = {
        "external_id": holder,
        "name": faker.name(),
        "national_id": faker.ssn(),
        "date_of_birth": _birth_date(client.age, timeline.data_end, rng).isoformat(),
        "monthly_income": _major(income),
        "employer": faker.company(),
        "flags": "",
        "language": "zh-hans",
        "time_zone": TW_PRODUCT["time_zone"],
    }
    own = [
        ("mobile", _mobile(rng)),
        ("email", faker.free_email()),
        ("billing_address", faker.address()),
    ]
    contacts = [
        {"external_id": f"{holder}-{kind}", "cardholder_id": holder, "kind": kind,
         "value": value, "verified": "true" if kind == "mobile" else "false",
         "source": "application", "relation": "", "contact_name": ""}
        for kind, value in own
    ]
    relation = rng.choices([r for r, _w in RELATIONS], weights=[w for _r, w in RELATIONS])[0]
    contacts.append({
        "external_id": f"{holder}-emergency", "cardholder_id": holder, "kind": "mobile",
        "value": _mobile(rng), "verified": "false", "source": "application",
        "relation": relation, "contact_name": faker.name(),
    })
    return PersonRows(cardholder, contacts)


@dataclass(frozen=True)
class TaiwanExport:
    paths: dict[str, Path]
    accounts: int
    timeline: Timeline


def import_rows(history: AccountHistory, timeline: Timeline) -> dict[str, list[dict]]:
    """The account, statement and posting rows of one converted client, as CSV fields."""
    acct = account_id(history.client.id)
    rows: dict[str, list[dict]] = {
        "accounts": [{
            "external_id": acct, "cardholder_id": cardholder_id(history.client.id),
            "product": TW_PRODUCT["code"], "credit_limit": _major(history.client.limit_minor),
            "open_date": timeline.opening_date.isoformat(), "status": "active",
        }],
        "statements": [
            {"external_id": s.external_id, "account_id": acct,
             "cycle_date": s.cycle_date.isoformat(), "due_date": s.due_date.isoformat(),
             "statement_balance": _major(s.balance), "minimum_due": _major(s.minimum_due)}
            for s in history.statements
        ],
        "postings": [
            {"external_id": p.external_id, "account_id": acct, "kind": p.kind,
             "amount": _major(p.amount), "posting_date": p.posting_date.isoformat(),
             "value_date": p.posting_date.isoformat(), "component": p.component,
             "reverses": "", "reason": p.reason, "statement_cycle_date": ""}
            for p in history.postings
        ],
    }
    return rows


def histories(
    clients: Iterable[TaiwanClient], timeline: Timeline, terms: ProductTerms = TW_TERMS
) -> Iterator[AccountHistory]:
    for client in clients:
        yield account_history(client, timeline, terms)


def taiwan_export(
    *, source: Path, out_dir: Path, anchor: date, limit: int | None = None
) -> TaiwanExport:
    """Convert the Taiwan file into the five import files (CSV) in ``out_dir``."""
    timeline = Timeline(anchor)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / f"{kind}.csv" for kind in IMPORT_KINDS}
    handles = {kind: open(path, "w", newline="", encoding="utf-8")
               for kind, path in paths.items()}
    faker = Faker("zh_TW")
    count = 0
    try:
        writers = {kind: csv.DictWriter(handles[kind], fieldnames=HEADERS[kind])
                   for kind in IMPORT_KINDS}
        for writer in writers.values():
            writer.writeheader()
        for history in histories(clients_read(source, limit=limit), timeline):
            person = person_rows(history.client, timeline, faker)
            writers["cardholders"].writerow(person.cardholder)
            writers["contacts"].writerows(person.contacts)
            for kind, rows in import_rows(history, timeline).items():
                writers[kind].writerows(rows)
            count += 1
    finally:
        for handle in handles.values():
            handle.close()
    return TaiwanExport(paths, count, timeline)
