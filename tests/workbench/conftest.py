"""Fixtures for the workbench: the web fixtures (users per role, a real headless Chromium) and
varied queue scenarios for the assignment rule."""

import random

import pytest

from tests.web.conftest import PASSWORD, chrome_driver, role_user  # noqa: F401

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
LANGUAGES = ("zh-hans", "en")
REGIONS = ("", "TPE", "KHH", "TXG")
TREATMENTS = ("call", "call", "call", "field_visit", "sms", "letter", "none")


def scenario(seed: int, accounts: int) -> tuple[list[dict], list[dict]]:
    """Decisions and collectors rows with ties, blanks, overlapping teams, full and empty seats."""
    rng = random.Random(seed)
    decisions = [
        {
            "account_id": 10_000 + i,
            "treatment": rng.choice(TREATMENTS),
            "priority": rng.randint(1, 9),
            # Few distinct amounts, so that ties are common and the tie-breaks matter.
            "expected_recovery_minor": rng.choice((0, 50_000, 120_000, rng.randint(0, 9_000_000))),
            "bucket": rng.choice(BUCKETS),
            "language": rng.choice(LANGUAGES + (None,)),
            "region": rng.choice(REGIONS + (None,)),
        }
        for i in range(accounts)
    ]
    rng.shuffle(decisions)
    teams = [
        (1, "call", 10, "", "", "M1,M2"),
        (2, "call", 20, "", "", ""),
        (3, "call", 15, "en", "", "M3,M4,M5"),
        (4, "field_visit", 10, "", "TPE,KHH", ""),
        (5, "field_visit", 30, "", "", "M5,M6,M7+"),
    ]
    collectors = []
    collector_id = 1
    for team_id, channel, routing_order, languages, regions, buckets in teams:
        team = {
            "team_id": team_id,
            "team_channel": channel,
            "team_routing_order": routing_order,
            "team_languages": languages,
            "team_regions": regions,
            "team_buckets": buckets,
        }
        seats = rng.randint(0, 6)
        if seats == 0:
            collectors.append(
                {
                    **team,
                    "collector_id": None,
                    "collector_order": None,
                    "capacity": 0,
                    "languages": "",
                    "regions": "",
                    "buckets": "",
                }
            )
        for _ in range(seats):
            collectors.append(
                {
                    **team,
                    "collector_id": collector_id,
                    "collector_order": rng.randint(0, 4),
                    "capacity": rng.choice((0, 3, 20, 60, 150)),
                    "languages": rng.choice(("", "", "en", "zh-hans", "zh-hans,en")),
                    "regions": rng.choice(("", "", "TPE", "KHH,TXG")),
                    "buckets": rng.choice(("", "", "M1", "M2,M3", "M5,M6,M7+", "M4")),
                }
            )
            collector_id += 1
    return decisions, collectors


@pytest.fixture(scope="session")
def duckdb_con():
    import ibis

    return ibis.duckdb.connect()


@pytest.fixture(scope="session")
def spark_session():
    """A local Spark session (shared with other tests of the run through getOrCreate)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("arrears-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    yield session
    session.stop()


