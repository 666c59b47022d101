"""Account search through the search keys against a scan of every cardholder.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_search \\
        .venv/bin/python benchmarks/bench_search.py --cardholders 200000

Creates (or empties) the database, writes ``--cardholders`` cardholders with Chinese names,
ID numbers and a mobile each, one account each, builds their search keys with
``search_keys_refresh`` (the migration's backfill works the same way), then times searches by
part of a name, phone and the ID's last four through ``web.selectors.account_search`` and the
same name search as a plain ``LIKE '%…%'`` scan. Prints milliseconds per search (best of 5)
and the ratio. Without ``DATABASE_URL``: a SQLite file in a temporary directory.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彩春菊凤洁"
         "梅琳素云莲真")


def best_ms(call, repeat: int = 5) -> float:
    times = []
    for _n in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cardholders", type=int, default=100_000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-search-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{home}/bench.sqlite3"
    env = dict(os.environ, DATABASE_URL=url, ARREARS_HOME=home, PYTHONPATH=str(REPO / "src"))
    if url.startswith("postgres"):
        subprocess.run([sys.executable, "-m", "django", "flush", "--noinput",
                        "--settings=arrears.settings"], env=env, capture_output=True)
    subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0",
                    "--settings=arrears.settings"], env=env, check=True)
    os.environ.update(DATABASE_URL=url, ARREARS_HOME=home,
                      DJANGO_SETTINGS_MODULE="arrears.settings")
    import django

    django.setup()
    from django.db import connection

    from arrears.portfolio.models import Account, Cardholder, ContactPoint, Product
    from arrears.portfolio.search import search_keys_refresh
    from arrears.web.selectors import account_search

    rng = random.Random(11)
    n = args.cardholders
    product = Product.objects.create(code="BENCH", name="bench")
    holders = [Cardholder(external_id=f"B{i}", name=rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN) for _k in range(rng.choice((1, 2)))),
        national_id=f"110101199001{i:06d}") for i in range(n)]
    Cardholder.objects.bulk_create(holders, batch_size=5000)
    ids = dict(Cardholder.objects.values_list("external_id", "pk"))
    ContactPoint.objects.bulk_create(
        [ContactPoint(external_id=f"P{i}", cardholder_id=ids[f"B{i}"], kind="mobile",
                      value=f"139{i:08d}") for i in range(n)], batch_size=5000)
    Account.objects.bulk_create(
        [Account(external_id=f"A{i}", cardholder_id=ids[f"B{i}"], product=product,
                 credit_limit_minor=1, open_date=date(2024, 1, 1)) for i in range(n)],
        batch_size=5000)
    start = time.perf_counter()
    keys = search_keys_refresh(ids.values())
    build = time.perf_counter() - start
    print(f"{connection.vendor}, {n:,} cardholders: {keys:,} search keys built in {build:.1f} s "
          f"({n / build:,.0f} cardholders/s)")
    everything = Account.objects.all()
    probe = holders[n // 2]
    searches = {
        "name": lambda: list(account_search(query=probe.name, kind="name",
                                                  within=everything)[:25]),
        "phone": lambda: list(account_search(query=f"139 {n // 2:08d}", kind="phone",
                                             within=everything)[:25]),
        "ID last four": lambda: list(account_search(query=probe.national_id[-4:], kind="id4",
                                                    within=everything)[:25]),
        "name, LIKE scan": lambda: list(everything.filter(
            cardholder__name__contains=probe.name).order_by("external_id")[:25]),
        "phone, LIKE scan": lambda: list(everything.filter(
            cardholder__contact_points__value__contains=f"{n // 2:08d}")[:25]),
    }
    timings = {name: best_ms(call) for name, call in searches.items()}
    for name, ms in timings.items():
        print(f"  {name:18} {ms:8.2f} ms")
    print(f"  phone: keys {timings['phone, LIKE scan'] / timings['phone']:.0f}× faster than "
          f"a scan; name: {timings['name, LIKE scan'] / timings['name']:.1f}×")


if __name__ == "__main__":
    main()
