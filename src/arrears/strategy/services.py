"""Loading strategies, making one live, and deciding single accounts with zen-engine.

A strategy file is checked completely before anything changes (:func:`strategy_validate`):
its JDM structure and every cell, that zen-engine loads and evaluates it, that the batch
compiler translates it, and that both give the same decision on probe rows built from the
table's own boundaries. A file that fails any check changes nothing: the live strategy stays.
"""

import json
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from hashlib import sha256
from importlib import resources
from pathlib import Path

import zen
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.batch.snapshot import snapshot_row
from arrears.scoring.scorecard import ScorecardError, reason_description, score_one
from arrears.scoring.selectors import NoLiveScorecard, scorecard_live
from arrears.strategy.compile import (
    CHAMPION,
    StrategyCompileError,
    arm_for,
    decision_columns,
    table_of,
)
from arrears.strategy.jdm import (
    BOOLEAN,
    FLOAT,
    INPUT_COLUMNS,
    INTEGER,
    OUTPUT_FIELDS,
    DecisionTable,
    StrategyInvalid,
    canonical,
    loads,
    parse,
)
from arrears.strategy.models import ChallengerTest, StrategyVersion
from arrears.strategy.selectors import challenger_tests_active, strategy_get, strategy_live

DEFAULT_STRATEGY_NAME = "cn-default"
DEFAULT_MODEL_VERSION = "collect-score-v1"
PROBE_ROWS = 400

SAMPLE_INPUT = {
    "account_id": 1, "account_external_id": "A1", "product": "CN-STD", "currency": "CNY",
    "bucket": "M1", "days_past_due": 12, "cycles_delinquent": 1, "balance_minor": 1_250_000,
    "past_due_minor": 50_000, "credit_limit_minor": 5_000_000, "days_since_last_payment": 40,
    "payment_ratio_3m": 0.5, "utilisation": 0.25, "promise_status": "none", "hold": "none",
    "previous_treatment": "none", "language": "zh-hans", "region": "", "vip": False,
    "score": 560, "probability_pay": 0.6, "score_band": "C", "reason_1": "", "reason_2": "",
    "reason_3": "",
}


# -- zen-engine: one engine per process, decisions keyed by content hash ----------------------

# zen-engine calls the loader on every evaluation; handing back a parsed ZenDecisionContent
# (not JSON text) is what makes a call take ~10 µs instead of ~100 µs for the default table.
_CONTENTS: dict[str, zen.ZenDecisionContent] = {}
_COLUMNS: dict[str, tuple[str, ...]] = {}  # the input columns each decision reads


def _load_decision(key: str) -> zen.ZenDecisionContent:
    return _CONTENTS[key]


_ENGINE = zen.ZenEngine({"loader": _load_decision})


def zen_key(jdm: dict) -> str:
    return sha256(canonical(jdm).encode("utf-8")).hexdigest()


def _register(strategy) -> str:
    jdm = strategy.jdm if isinstance(strategy, StrategyVersion) else strategy
    key = strategy.sha256 if isinstance(strategy, StrategyVersion) else zen_key(strategy)
    if key not in _CONTENTS:
        _COLUMNS[key] = parse(jdm).columns
        _CONTENTS[key] = zen.ZenDecisionContent(json.dumps(jdm, ensure_ascii=False))
    return key


def _context(inputs: dict) -> str:
    # JSON text, not a dict: zen-engine then reads each number exactly as written (a Python
    # float handed over directly is rounded to about 15 digits first, so 0.49999999999999994
    # would count as 0.5 while the batch, on floats, says it is below).
    return json.dumps(inputs, ensure_ascii=False, default=_json_value)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a decision input type")


def decide_one(inputs: dict, *, strategy=None) -> dict:
    """One account's decision by zen-engine: segment, treatment, template, priority, rule_id.

    ``inputs`` holds snapshot (and score) columns by name; ``strategy`` is a StrategyVersion or
    a JDM dict, by default the live strategy. About 10–20 µs a call after the first
    (``benchmarks/bench_zen.py``).
    """
    if strategy is None:
        strategy = strategy_get()
    key = _register(strategy)
    # Only the columns the table reads: a missing column is null to zen-engine either way.
    context = _context({column: inputs.get(column) for column in _COLUMNS[key]})
    result = _ENGINE.evaluate(key, context)["result"]
    return {field: result.get(field) for field in OUTPUT_FIELDS}


def decide_account(inputs: dict, *, as_of: date) -> dict:
    """The decision with its arm: the live strategy, or a challenger's for its share."""
    champion = strategy_get()
    tests = challenger_tests_active(as_of=as_of, champion=champion)
    arm = arm_for(int(inputs["account_id"]), tests) if tests else CHAMPION
    strategy = champion
    for test in tests:
        if test.name == arm:
            strategy = test.challenger
    decision = decide_one(inputs, strategy=strategy)
    decision["arm"] = arm
    decision["strategy"] = strategy.label
    return decision


# -- validation --------------------------------------------------------------------------------

def _probe_values(column: str, table: DecisionTable) -> list:
    kind = INPUT_COLUMNS[column]
    if kind == BOOLEAN:
        return [True, False]
    literals = set()
    for rule in table.rules:
        for cell in rule.cells:
            if cell.column != column:
                continue
            for test in cell.tests:
                values = test.value if test.op == "not_in" else (test.value, test.high)
                literals.update(v for v in values if v is not None)
    literals.add(SAMPLE_INPUT[column])
    if kind in (INTEGER, FLOAT):
        step = 1 if kind == INTEGER else 0.001
        probes = set()
        for v in literals:
            number = float(v) if kind == FLOAT else int(Decimal(v).to_integral_value())
            probes.update({number - step, number, number + step})
        return sorted(probes)
    return sorted(literals | {"other"})


def cross_check(table: DecisionTable, jdm: dict, *, rows: int = PROBE_ROWS, seed: int = 7) -> None:
    """Decide probe rows with zen-engine and with the compiled batch expression (DuckDB);
    raise :class:`StrategyCompileError` naming the rule where they differ."""
    import ibis

    rng = random.Random(seed)
    values = {c: _probe_values(c, table) for c in table.columns}
    probes = []
    for number in range(rows):
        row = dict(SAMPLE_INPUT)
        row.update({c: rng.choice(v) for c, v in values.items()})
        row["account_id"] = number
        probes.append(row)
    frame = {c: [r[c] for r in probes] for c in INPUT_COLUMNS}
    schema = {c: {INTEGER: "int64", FLOAT: "float64", BOOLEAN: "boolean"}.get(k, "string")
              for c, k in INPUT_COLUMNS.items()}
    memtable = ibis.memtable(frame, schema=schema)
    compiled = decision_columns(memtable, table).select("account_id", "rule_id")
    batch = dict(ibis.duckdb.connect().execute(compiled).itertuples(index=False, name=None))
    for row in probes:
        single = decide_one(row, strategy=jdm)["rule_id"]
        if batch[row["account_id"]] != single:
            shown = {c: row[c] for c in table.columns}
            raise StrategyCompileError(
                _("zen-engine fires rule %(zen)s but the batch expression fires %(batch)s for "
                  "%(row)s") % {"zen": single, "batch": batch[row["account_id"]], "row": shown})


def strategy_validate(jdm: dict) -> DecisionTable:
    """Every check a strategy must pass before it can be stored; raises StrategyInvalid."""
    table = parse(jdm)
    try:
        decision = zen.ZenEngine().create_decision(json.dumps(jdm, ensure_ascii=False))
        result = decision.evaluate(_context(SAMPLE_INPUT))["result"]
    except RuntimeError as error:
        reason = str(error).splitlines()[0]
        raise StrategyInvalid(_("zen-engine cannot evaluate the strategy: %(reason)s")
                              % {"reason": reason}) from None
    missing = [f for f in OUTPUT_FIELDS if f not in result]
    if missing:
        raise StrategyInvalid(_("zen-engine's decision for a sample account lacks %(fields)s")
                              % {"fields": ", ".join(missing)})
    import ibis

    schema = {c: {INTEGER: "int64", FLOAT: "float64", BOOLEAN: "boolean"}.get(k, "string")
              for c, k in INPUT_COLUMNS.items()}
    decision_columns(ibis.table(schema, name="snapshot"), table)
    cross_check(table, jdm)
    return table


# -- storing and going live --------------------------------------------------------------------

@dataclass
class LoadResult:
    version: StrategyVersion
    created: bool  # False: the same content was already live


def strategy_make_live(*, version: StrategyVersion, actor=None) -> StrategyVersion:
    """Make ``version`` the live strategy; the one live before is retired."""
    with transaction.atomic():
        previous = (StrategyVersion.objects.select_for_update()
                    .filter(status=StrategyVersion.Status.LIVE).exclude(pk=version.pk).first())
        if previous is not None:
            previous.status = StrategyVersion.Status.RETIRED
            previous.save(update_fields=["status"])
        version.status = StrategyVersion.Status.LIVE
        version.went_live_at = timezone.now()
        version.save(update_fields=["status", "went_live_at"])
        audit_record(actor=actor, action="strategy.make_live", object_type="strategy",
                     object_id=version.pk,
                     details={"version": version.label, "sha256": version.sha256,
                              "previous": previous.label if previous else None})
    return version


def strategy_load(*, text: str | bytes, name: str = DEFAULT_STRATEGY_NAME, note: str = "",
                  model_version: str = DEFAULT_MODEL_VERSION, actor=None,
                  make_live: bool = True) -> LoadResult:
    """Validate a JDM file's text and store it as the next version of ``name``.

    With ``make_live`` it becomes the live strategy (a draft otherwise, e.g. a challenger).
    Loading the content that is already live changes nothing.
    """
    jdm = loads(text)
    strategy_validate(jdm)
    digest = zen_key(jdm)
    live = strategy_live()
    if make_live and live is not None and live.sha256 == digest and live.name == name:
        return LoadResult(version=live, created=False)
    with transaction.atomic():
        latest = (StrategyVersion.objects.select_for_update().filter(name=name)
                  .aggregate(latest=Max("version"))["latest"]) or 0
        version = StrategyVersion.objects.create(
            name=name, version=latest + 1, jdm=jdm, model_version=model_version,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            sha256=digest, note=note,
        )
        audit_record(actor=actor, action="strategy.load", object_type="strategy",
                     object_id=version.pk,
                     details={"version": version.label, "sha256": digest, "note": note,
                              "model_version": model_version, "make_live": make_live})
        if make_live:
            strategy_make_live(version=version, actor=actor)
    return LoadResult(version=version, created=True)


def default_strategy_text() -> str:
    return (resources.files("arrears.strategy") / "default_strategy.json").read_text(
        encoding="utf-8")


def strategy_ensure_default(*, actor=None) -> StrategyVersion:
    """The live strategy; the shipped mainland default is loaded first if none is live."""
    live = strategy_live()
    if live is not None:
        return live
    return strategy_load(text=default_strategy_text(), name=DEFAULT_STRATEGY_NAME,
                         note=_("Default mainland strategy shipped with Arrears"),
                         actor=actor).version


def strategy_load_file(*, path: Path, **options) -> LoadResult:
    try:
        text = Path(path).read_bytes()
    except OSError as error:
        raise StrategyInvalid(_("cannot read %(path)s: %(reason)s")
                              % {"path": path, "reason": error.strerror}) from None
    return strategy_load(text=text, **options)


# -- champion/challenger -----------------------------------------------------------------------

def challenger_create(*, name: str, challenger: StrategyVersion, share_percent: Decimal,
                      start_date: date, end_date: date | None = None,
                      champion: StrategyVersion | None = None, actor=None) -> ChallengerTest:
    """Start a test: ``share_percent`` of accounts (stable by account) go to ``challenger``."""
    champion = champion or strategy_get()
    share = Decimal(str(share_percent))
    if not Decimal(0) <= share <= Decimal(100) or share != share.quantize(Decimal("0.01")):
        raise StrategyInvalid(_("the traffic share must be 0–100 %% with at most two decimals"))
    if challenger.pk == champion.pk:
        raise StrategyInvalid(_("the challenger must differ from the champion"))
    if end_date is not None and end_date < start_date:
        raise StrategyInvalid(_("the end date is before the start date"))
    if ChallengerTest.objects.filter(name=name).exists() or name == CHAMPION:
        raise StrategyInvalid(_("a test named %(name)s exists already") % {"name": name})
    with transaction.atomic():
        test = ChallengerTest.objects.create(
            name=name, champion=champion, challenger=challenger, share_percent=share,
            start_date=start_date, end_date=end_date,
        )
        audit_record(actor=actor, action="strategy.challenger_create", object_type="challenger",
                     object_id=test.pk,
                     details={"name": name, "champion": champion.label,
                              "challenger": challenger.label, "share_percent": str(share)})
    return test


def table_for(strategy) -> DecisionTable:
    """The parsed decision table of a stored strategy (for display)."""
    return table_of(strategy)


# -- one account, explained --------------------------------------------------------------------

def rule_conditions_text(strategy, rule_id: str) -> list[dict]:
    """The non-empty input cells of a rule: what had to hold for it to fire."""
    for rule in table_of(strategy).rules:
        if rule.rule_id == rule_id:
            return [{"column": c.column, "test": c.text} for c in rule.cells if c.text]
    return []


def account_decide(*, account, as_of: date) -> dict:
    """One account's decision right now, with everything that explains it.

    Inputs are the account's snapshot row (``arrears.batch.snapshot.snapshot_row``), scored by
    the live scorecard when there is one (``score`` is None otherwise and rules that read the
    score band do not fire), decided by the live strategy or the account's challenger arm.
    """
    inputs = snapshot_row(account, as_of)
    score, score_note, model = None, "", ""
    try:
        scorecard = scorecard_live()
        score = score_one(inputs, scorecard)
        model = scorecard.name
    except (NoLiveScorecard, ScorecardError) as error:
        score_note = str(error)
    decision_input = {**inputs, **(score or {})}
    decision = decide_account(decision_input, as_of=as_of)
    strategy = strategy_get() if decision["arm"] == CHAMPION else next(
        t.challenger for t in challenger_tests_active(as_of=as_of) if t.name == decision["arm"])
    reasons = []
    if score:
        reasons = [{"code": code, "description": reason_description(code)}
                   for code in (score[f"reason_{i}"] for i in (1, 2, 3)) if code]
    return {
        "account": account.external_id,
        "as_of": as_of.isoformat(),
        "inputs": inputs,
        "score": score,
        "score_note": score_note,
        "model_version": model,
        "reasons": reasons,
        "decision": decision,
        "rule": {"rule_id": decision["rule_id"],
                 "conditions": rule_conditions_text(strategy, decision["rule_id"])},
    }
