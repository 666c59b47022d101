"""Loading the demo portfolio: the Taiwan clients through the same import path a bank uses."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from arrears.batch.models import DecisionRun
from arrears.channels.worker import outbox_send
from arrears.imports.services import ImportReport, import_file
from arrears.ledger.models import CycleRun
from arrears.night.services import NightError, night_run, steps_run
from arrears.night.steps import DECISION_STEPS, StepError
from arrears.portfolio.models import Account, Product, Statement
from arrears.scoring.services import scorecard_ensure_default
from arrears.scoring.taiwan import (
    IMPORT_KINDS,
    TW_PRODUCT,
    Timeline,
    clients_read,
    default_anchor,
    taiwan_csv_path,
    taiwan_export,
)
from arrears.strategy.services import strategy_ensure_default
from arrears.users.roles import PERSON_ROLE_CODES
from arrears.users.services import role_groups_ensure, user_create_for_role
from arrears.workbench.services import teams_ensure_demo

DEMO_PASSWORD = "arrears-demo"
SUPERUSER = "admin"


class DemoError(Exception):
    """The demo cannot be loaded as asked; the message says why and what to do."""


@dataclass
class DemoResult:
    anchor: date
    data_end: date
    accounts: int
    loaded_now: bool
    reports: list[ImportReport] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    cycle_ran: bool = False
    outbox: dict[str, int] = field(default_factory=dict)


def demo_product_ensure() -> Product:
    """Create the demo product ``TW-STD`` or bring its terms back to the documented values."""
    values = {k: v for k, v in TW_PRODUCT.items() if k != "code"}
    product, _created = Product.objects.update_or_create(code=TW_PRODUCT["code"],
                                                         defaults=values)
    return product


def demo_loaded_anchor() -> date | None:
    """The anchor month of the demo data already in the database, if any."""
    last = (Statement.objects.filter(account__product__code=TW_PRODUCT["code"],
                                     external_id__startswith="TW-A-")
            .order_by("-cycle_date").values_list("cycle_date", flat=True).first())
    return last.replace(day=1) if last else None


def demo_users_ensure(*, password: str, reset: bool = False) -> list[str]:
    """One user per role (username = role code) and a superuser ``admin``.

    Existing users are left alone unless ``reset``, so a second run changes nothing.
    """
    role_groups_ensure()
    existing = set(User.objects.filter(username__in=(*PERSON_ROLE_CODES, SUPERUSER))
                   .values_list("username", flat=True))
    to_set = [name for name in (*PERSON_ROLE_CODES, SUPERUSER) if reset or name not in existing]
    if not to_set:
        return []
    password_hash = make_password(password)  # one hash for all: each costs half a second
    for role in PERSON_ROLE_CODES:
        if role in to_set:
            user_create_for_role(username=role, role=role, password_hash=password_hash)
    if SUPERUSER in to_set:
        admin = (User.objects.filter(username=SUPERUSER).first()
                 or User.objects.create_superuser(SUPERUSER, email=""))
        admin.password = password_hash
        admin.save(update_fields=["password"])
    return to_set


def _count_clients(path: Path, limit: int | None) -> int:
    return sum(1 for _client in clients_read(path, limit=limit))


def demo_load(
    *,
    anchor: date | None = None,
    limit: int | None = None,
    reload: bool = False,
    password: str | None = None,
    source: Path | None = None,
    today: date | None = None,
    progress: bool = False,
    say: Callable[[str], None] = lambda text: None,
    stage: Callable[[str], AbstractContextManager] = lambda title: nullcontext(),
) -> DemoResult:
    """Load (or check) the demo portfolio, its users and the first nightly cycle.

    Idempotent: when the accounts asked for are already in the database nothing is converted
    or imported unless ``reload``; the cycle for the data's last day runs once. ``stage``
    wraps each of the three stages (portfolio, users, the night) with its title, to show
    progress.
    """
    loaded_anchor = demo_loaded_anchor()
    if loaded_anchor and anchor and anchor.replace(day=1) != loaded_anchor:
        raise DemoError(_(
            "The demo portfolio is already loaded with anchor month %(loaded)s; it cannot be "
            "moved to %(asked)s. Use a new database (ARREARS_HOME or DATABASE_URL) for that."
        ) % {"loaded": f"{loaded_anchor:%Y-%m}", "asked": f"{anchor:%Y-%m}"})
    anchor = loaded_anchor or (anchor.replace(day=1) if anchor else None)
    anchor = anchor or default_anchor(today or date.today())
    timeline = Timeline(anchor)
    source = source or taiwan_csv_path()
    product = demo_product_ensure()
    loaded = Account.objects.filter(product=product, external_id__startswith="TW-A-").count()
    result = DemoResult(anchor=anchor, data_end=timeline.data_end, accounts=loaded,
                        loaded_now=False)
    with stage(_("Demo portfolio: the Taiwan card accounts, converted and imported the way "
                 "a bank's files are")):
        complete = loaded > 0 and loaded >= _count_clients(source, limit)
        if reload or not complete:
            result.reports = _portfolio_import(source, anchor, limit, progress=progress, say=say)
            result.loaded_now = True
            result.accounts = Account.objects.filter(
                product=product, external_id__startswith="TW-A-").count()
    with stage(_("Demo users: one per role, and the demo teams' collectors")):
        result.users_created = demo_users_ensure(password=password or DEMO_PASSWORD,
                                                 reset=password is not None)
        result.users_created += teams_ensure_demo(password=password or DEMO_PASSWORD)
    with stage(_("The night of %(date)s: interest and fees, aging, scores, decisions, work "
                 "queues, the outbox") % {"date": timeline.data_end}):
        scorecard_ensure_default()
        strategy_ensure_default()
        result.cycle_ran = _first_cycle(timeline.data_end, progress=progress)
        result.outbox = outbox_send(progress=progress).by_status
    return result


def _portfolio_import(source: Path, anchor: date, limit: int | None, *, progress: bool,
                      say: Callable[[str], None]) -> list[ImportReport]:
    """Convert the Taiwan file into the five import files and import them as a bank would."""
    out_dir = Path(settings.ARREARS_HOME) / "demo"
    say(_("Converting the Taiwan data set into import files in %(dir)s …") % {"dir": out_dir})
    export = taiwan_export(source=source, out_dir=out_dir, anchor=anchor, limit=limit)
    reports = []
    for kind in IMPORT_KINDS:
        report = import_file(kind=kind, path=export.paths[kind], progress=progress)
        if not report.committed:
            errors = "; ".join(str(e) for e in report.errors[:5])
            raise DemoError(_("Importing %(kind)s failed: %(errors)s")
                            % {"kind": kind, "errors": errors})
        reports.append(report)
    return reports


def _first_cycle(as_of: date, *, progress: bool) -> bool:
    """Run the nightly cycle for the data's last day unless a cycle already covers it."""
    try:
        if CycleRun.objects.filter(finished_at__isnull=False, as_of__gte=as_of).exists():
            if not DecisionRun.objects.filter(as_of=as_of, finished_at__isnull=False).exists():
                steps_run(as_of=as_of, names=DECISION_STEPS, show_bars=progress)
            return False
        night_run(as_of=as_of, show_bars=progress, send=False, again=True)
    except (NightError, StepError) as error:
        raise DemoError(str(error)) from None
    return True

