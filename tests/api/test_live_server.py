"""Real HTTP against a real server (``arrears serve``: gunicorn, 2 workers × 8 threads) on the
tests' database kind: concurrent payments and their retries, bodies too large, a busy database.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.live import live_server

PAYMENTS_PER_ACCOUNT = 5
ACCOUNTS = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live"), accounts=ACCOUNTS) as running:
        yield running


def payment(account: str, number: int) -> dict:
    return {"external_id": f"GW-{account}-{number}", "account_id": account, "amount": "10.00"}


def test_50_distinct_and_50_duplicate_payments_in_parallel(server):
    distinct = [payment(a, n) for a in server.accounts for n in range(PAYMENTS_PER_ACCOUNT)]
    requests = distinct + distinct  # every payment twice, the pairs arriving together
    random.Random(7).shuffle(requests)
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=60) as client:
        def send(body):
            response = client.post("/api/v1/payments", json=body)
            return body["external_id"], response.status_code, response.json()

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(send, requests))
        assert all(status in (200, 201) for _id, status, _body in answers), [
            (i, s, b) for i, s, b in answers if s not in (200, 201)]
        by_id: dict[str, list] = {}
        for external_id, status, body in answers:
            by_id.setdefault(external_id, []).append((status, body))
        assert len(by_id) == 50
        for pair in by_id.values():
            assert sorted(status for status, _body in pair) == [200, 201]
            assert pair[0][1] == pair[1][1]  # the duplicate gets the original body
        for account in server.accounts:
            balances = client.get(f"/api/v1/accounts/{account}").json()["balances"]
            assert balances["total"] == "950.00"  # 1,000.00 less five payments, each once


def test_a_body_too_large_is_413_json_for_the_api_and_plain_for_pages(server):
    huge = b'{"external_id": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=60) as client:
        api = client.post("/api/v1/payments", content=huge,
                          headers={"Content-Type": "application/json"})
        assert api.status_code == 413
        assert api.json()["code"] == "too_large"
        page = client.post("/login/", content=huge,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert page.status_code == 413
        assert page.headers["Content-Type"].startswith("text/plain")


def test_a_chunked_body_is_read_up_to_the_limit(server):
    def chunks(total: int):
        for _ in range(total // 65536):
            yield b" " * 65536

    body = payment(server.accounts[0], 99)
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=60) as client:
        small = client.post("/api/v1/payments", content=iter([httpx.Request(
            "POST", "/", json=body).content]), headers={"Content-Type": "application/json"})
        assert small.status_code == 201, small.text
        large = client.post("/api/v1/payments", content=chunks(3 * 1024 * 1024),
                            headers={"Content-Type": "application/json"})
        assert large.status_code == 413
        assert large.json()["code"] == "too_large"


def test_a_locked_sqlite_database_is_503_with_retry_after(tmp_path):
    """SQLite is locked by another writer beyond the busy timeout: 503 and nothing booked."""
    import sqlite3

    home = tmp_path / "locked"
    home.mkdir()
    with live_server(home, backend="sqlite",
                     extra_env={"ARREARS_SQLITE_TIMEOUT": "0.5"}) as locked:
        writer = sqlite3.connect(locked.sqlite_file, isolation_level=None)
        body = payment(locked.accounts[0], 1)
        with httpx.Client(base_url=locked.url, headers=locked.headers(), timeout=60) as client:
            writer.execute("BEGIN IMMEDIATE")
            try:
                busy = client.post("/api/v1/payments", json=body)
            finally:
                writer.execute("ROLLBACK")
            assert busy.status_code == 503, busy.text
            assert busy.json()["code"] == "busy"
            assert int(busy.headers["Retry-After"]) > 0
            assert client.post("/api/v1/payments", json=body).status_code == 201
        writer.close()
