"""How long one zen-engine decision takes: p50/p99 of ``decide_one`` on the default strategy.

    .venv/bin/python benchmarks/bench_zen.py --decisions 100000

It decides varied synthetic accounts (every bucket, holds, bands, balances) with the shipped
mainland strategy through ``arrears.strategy.services.decide_one`` — the path ``arrears decide``
and the workbench use: one ``zen.ZenEngine`` per process, the decision cached by content hash,
the input handed over as JSON text — and prints p50, p90, p99 and p99.9 per call, and the same
for the bare ``engine.evaluate`` call and the slow ``create_decision(...).evaluate`` path for
comparison. Target: p99 ≤ 50 µs. No database is touched.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def accounts(count: int, seed: int) -> list[dict]:
    from arrears.strategy.services import SAMPLE_INPUT

    rng = random.Random(seed)
    rows = []
    for number in range(count):
        dpd = rng.choice([0, 0, rng.randint(1, 400)])
        bucket = "M0" if dpd == 0 else ("M7+" if dpd >= 180 else f"M{min(dpd // 30 + 1, 6)}")
        rows.append(dict(
            SAMPLE_INPUT, account_id=number + 1, bucket=bucket, days_past_due=dpd,
            balance_minor=rng.randint(0, 20_000_000), score_band=rng.choice("ABCDE"),
            hold=rng.choice(["none"] * 20 + ["complaint", "dispute", "hardship", "deceased"]),
            promise_status=rng.choice(["none"] * 8 + ["active", "broken"]),
            days_since_last_payment=rng.choice([9999, rng.randint(0, 300)]),
            previous_treatment=rng.choice(["none", "sms", "call", "card_block", "letter"]),
            probability_pay=rng.random(), score=rng.randint(400, 700),
        ))
    return rows


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)

    def at(q: float) -> float:
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] / 1000

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "p99.9": at(0.999),
            "mean": statistics.fmean(ordered) / 1000}


def timed(call, rows: list) -> list[int]:
    samples = []
    clock = time.perf_counter_ns
    for row in rows:
        start = clock()
        call(row)
        samples.append(clock() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--slow-sample", type=int, default=2_000,
                        help="calls of the slow create_decision path")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    import zen

    from arrears.strategy.models import StrategyVersion
    from arrears.strategy.services import (
        _ENGINE,
        _context,
        _register,
        decide_one,
        default_strategy_text,
        zen_key,
    )

    jdm = json.loads(default_strategy_text())
    # As the live strategy comes from the database: its content hash is stored, not recomputed.
    strategy = StrategyVersion(name="cn-default", version=1, jdm=jdm, sha256=zen_key(jdm))
    rows = accounts(args.decisions, seed=3)
    for row in rows[:1000]:  # warm up
        decide_one(row, strategy=strategy)
    key = _register(strategy)
    contexts = [_context(r) for r in rows]
    results = {
        "decide_one (the service)": timed(lambda r: decide_one(r, strategy=strategy), rows),
        "engine.evaluate(key, json)": timed(lambda c: _ENGINE.evaluate(key, c), contexts),
    }
    decision = zen.ZenEngine()
    text = json.dumps(jdm)
    results["create_decision(json).evaluate"] = timed(
        lambda c: decision.create_decision(text).evaluate(c), contexts[: args.slow_sample])
    treatments: dict[str, int] = {}
    for row in rows[:10_000]:
        treatment = decide_one(row, strategy=strategy)["treatment"]
        treatments[treatment] = treatments.get(treatment, 0) + 1
    print(f"zen-engine {getattr(zen, '__version__', '2.1.3')}, default strategy "
          f"({len(jdm['nodes'][1]['content']['rules'])} rules), {args.decisions:,} decisions")
    print(f"{'path':<34}{'p50':>9}{'p90':>9}{'p99':>9}{'p99.9':>9}{'mean':>9}  (µs)")
    for name, samples in results.items():
        p = percentiles(samples)
        print(f"{name:<34}" + "".join(f"{p[k]:>9.1f}" for k in ("p50", "p90", "p99", "p99.9",
                                                               "mean")))
    p99 = percentiles(results["decide_one (the service)"])["p99"]
    print(f"target p99 ≤ 50 µs: {'met' if p99 <= 50 else 'NOT met'} ({p99:.1f} µs)")
    print("treatments in the first 10,000:", dict(sorted(treatments.items())))


if __name__ == "__main__":
    main()
