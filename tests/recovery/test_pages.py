"""The recovery pages through Django's client: a batch previewed then confirmed, bad input
answered with a message, the placements export, extension by a permitted role, and the agency
user's page with only their own accounts (URL tampering refused)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from arrears.recovery.models import Placement, PlacementBatch
from arrears.recovery.services import placement_batch_create
from tests.recovery.conftest import make_agency, positioned_accounts

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def placed(product):
    """Two agencies sharing four accounts (placed today), one account left over."""
    first, second = make_agency("AG1", capacity=2, inspected=_today()), make_agency(
        "AG2", capacity=2, inspected=_today())
    accounts = positioned_accounts(product, 5)
    batch = placement_batch_create([a.pk for a in accounts[:4]], as_of=timezone.localdate(),
                                   seed=4)
    return first, second, accounts, batch


def test_a_batch_is_previewed_then_confirmed_by_hand(product, roles):
    make_agency("AG1", capacity=10, inspected=_today())
    accounts = positioned_accounts(product, 3)
    client = _client(roles("strategy_manager"))
    numbers = "\n".join(a.external_id for a in accounts)
    preview = client.post("/recovery/batches/new/", {"source": "manual", "accounts": numbers,
                                                     "seed": "77", "preview": "1"})
    assert preview.status_code == 200 and 'id="confirm"' in preview.text
    assert not PlacementBatch.objects.exists()
    confirmed = client.post("/recovery/batches/new/", {
        "source": "manual", "accounts": ",".join(a.external_id for a in accounts), "seed": "77",
        "confirm": "1"})
    batch = PlacementBatch.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/recovery/batches/{batch.pk}/"
    assert (batch.seed, batch.placed) == (77, 3)
    assert "AG1" in client.get(f"/recovery/batches/{batch.pk}/").text


def test_unknown_numbers_and_a_bad_seed_are_answered_with_a_message(product, roles):
    make_agency("AG1", inspected=_today())
    client = _client(roles("collections_manager"))
    response = client.post("/recovery/batches/new/", {"source": "manual",
                                                      "accounts": "NO-SUCH-1", "preview": "1"})
    assert response.status_code == 200 and "Unknown account numbers: NO-SUCH-1" in response.text
    response = client.post("/recovery/batches/new/", {"source": "manual", "accounts": "X",
                                                      "seed": "-3", "preview": "1"})
    assert response.status_code == 200 and "greater than or equal to 0" in response.text


def test_placements_export_is_masked_and_limited_to_who_may(placed, roles):
    _first, _second, accounts, _batch = placed
    body = b"".join(_client(roles("collections_manager")).get(
        "/recovery/placements/?export=csv").streaming_content).decode("utf-8-sig")
    assert accounts[0].external_id in body and accounts[0].cardholder.name not in body
    assert _client(roles("strategy_manager")).get(
        "/recovery/placements/?export=csv").status_code == 403


def test_extension_by_a_manager_and_not_by_the_compliance_officer(placed, roles):
    placement = Placement.objects.order_by("pk").first()
    before = placement.due_on
    refused = _client(roles("compliance_officer")).post(
        f"/recovery/placements/{placement.pk}/extend/", {"days": "10", "reason": "协商"})
    assert refused.status_code == 403
    _client(roles("collections_manager")).post(
        f"/recovery/placements/{placement.pk}/extend/", {"days": "10", "reason": "协商"})
    placement.refresh_from_db()
    assert placement.due_on == before + timedelta(days=10)


def test_the_agency_user_sees_exactly_their_placed_accounts(placed, roles):
    first, second, accounts, _batch = placed
    user = roles("agency_manager", agency=first)
    client = _client(user)
    mine = list(Placement.objects.filter(agency=first).select_related("account__cardholder"))
    theirs = Placement.objects.filter(agency=second).select_related("account").first()
    page = client.get("/recovery/placed/").text
    for placement in mine:
        assert placement.account.external_id in page
        assert placement.account.cardholder.name not in page
        assert placement.account.cardholder.name[0] + "*" in page
    assert theirs.account.external_id not in page and accounts[4].external_id not in page
    assert client.get(f"/accounts/{mine[0].account.external_id}/").status_code == 200
    # URL tampering: another agency's account, the left-over one, the bank's pages.
    assert client.get(f"/accounts/{theirs.account.external_id}/").status_code == 404
    assert client.get(f"/work/accounts/{theirs.account_id}/").status_code == 404
    assert client.get(f"/work/accounts/{accounts[4].pk}/").status_code == 404
    assert client.get(f"/recovery/placements/{theirs.pk}/").status_code == 403
    assert client.get("/recovery/placed/?export=csv").status_code == 403
    assert client.get("/").status_code == 302
