"""Account search (issue 11): by account or cardholder number, name, phone and the ID's last
four; only accounts in the user's work; masked results; every search audited."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.audit.models import AuditEvent
from arrears.portfolio.models import ContactPoint, SearchKey
from arrears.portfolio.search import name_pieces, phone_key, search_keys_refresh
from tests.factories import give_work, make_account, make_cardholder
from tests.web.conftest import PASSWORD


def _world(role_user):
    """A collector with two accounts of their own, and one account of someone else whose
    cardholder has a similar name, the same ID last four and a phone of its own."""
    collector = role_user("collector")
    zhang = make_cardholder(external_id="CH-Z", name="张三丰", national_id="11010119900307123X")
    ContactPoint.objects.create(external_id="CP-Z", cardholder=zhang, kind="mobile",
                                value="+86 138 1234 5678")
    ouyang = make_cardholder(external_id="CH-O", name="欧阳娜娜", national_id="110101199001015678")
    other = make_cardholder(external_id="CH-X", name="张三", national_id="11010119900307123X")
    ContactPoint.objects.create(external_id="CP-X", cardholder=other, kind="mobile",
                                value="13900001111")
    mine = make_account(external_id="AC-Z", cardholder=zhang)
    mine_too = make_account(external_id="AC-O", cardholder=ouyang)
    elsewhere = make_account(external_id="AC-X", cardholder=other)
    give_work(collector, mine, mine_too)
    return collector, mine, mine_too, elsewhere


def _search(client, user, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get("/accounts/", params)


def _found(response) -> list[str]:
    rows = response.context["list"].rows
    return [account.external_id for account in rows]


def test_search_keys_of_a_name_a_phone_and_an_id():
    assert name_pieces("张三丰") == ["张三", "三丰"]
    assert name_pieces("John  Smith") == ["jo", "oh", "hn", "ns", "sm", "mi", "it", "th"]
    assert name_pieces("李") == ["李"]
    assert phone_key("+86 138-1234-5678") == "13812345678"
    assert phone_key("0086 13812345678") == "13812345678"
    assert phone_key("1234") == ""


def test_each_kind_of_search_finds_the_account(client, role_user):
    collector, mine, mine_too, elsewhere = _world(role_user)
    # An exact account number or cardholder number opens the account.
    assert _search(client, collector, q="AC-Z").url == "/accounts/AC-Z/"
    assert _search(client, collector, q="CH-O").url == "/accounts/AC-O/"
    assert _search(client, collector, q="CH-O", kind="cardholder").url == "/accounts/AC-O/"
    # A name: exact, or any part of it (two characters or more), Chinese or not.
    assert _found(_search(client, collector, q="张三丰", kind="name")) == ["AC-Z"]
    assert _found(_search(client, collector, q="三丰")) == ["AC-Z"]
    assert _found(_search(client, collector, q="阳娜")) == ["AC-O"]
    # A phone, however it is written.
    assert _found(_search(client, collector, q="138 1234 5678")) == ["AC-Z"]
    assert _found(_search(client, collector, q="13812345678", kind="phone")) == ["AC-Z"]
    # The ID's last four, with the check character X in either case.
    assert _found(_search(client, collector, q="123x")) == ["AC-Z"]
    assert _found(_search(client, collector, q="5678", kind="id4")) == ["AC-O"]


def test_a_collector_never_finds_an_account_outside_their_work(client, role_user):
    collector, mine, mine_too, elsewhere = _world(role_user)
    assert _found(_search(client, collector, q="张三")) == ["AC-Z"]  # not 张三 of AC-X
    assert _found(_search(client, collector, q="13900001111")) == []
    response = _search(client, collector, q="AC-X")
    assert response.status_code == 200 and _found(response) == []
    assert "/accounts/AC-X/" not in response.content.decode()
    manager = role_user("collections_manager")
    assert _found(_search(client, manager, q="张三")) == ["AC-X", "AC-Z"]


def test_results_are_masked_for_the_role(client, role_user):
    collector, *_ = _world(role_user)
    page = _search(client, collector, q="三丰").content.decode()
    assert "张*" in page and "张三丰" not in page.split('id="search-results"')[1]
    assert "110***********123X" in page and "11010119900307123X" not in page
    agency = role_user("agency_manager")  # M0, and reaches no account here
    assert _found(_search(client, agency, q="三丰")) == []


def test_every_search_is_audited_without_the_full_phone_or_id(client, role_user):
    collector, *_ = _world(role_user)
    _search(client, collector, q="138 1234 5678")
    _search(client, collector, q="123X")
    _search(client, collector, q="张三丰")
    events = list(AuditEvent.objects.filter(action="account.search").order_by("sequence"))
    assert [(e.actor_label, e.details["kind"], e.details["results"]) for e in events] == [
        ("collector", "phone", 1), ("collector", "id4", 1), ("collector", "name", 1)]
    stored = " ".join(str(e.details) for e in events)
    assert "13812345678" not in stored and "1234 5678" not in stored
    assert "123X" not in stored and "张三丰" not in stored
    assert events[0].details["query"] == "*******5678"


def test_bad_searches_say_what_to_type_never_an_error_page(client, role_user):
    collector, *_ = _world(role_user)
    response = _search(client, collector, q="12", kind="id4")
    assert response.status_code == 200
    assert "last four characters" in response.context["problem"]
    assert _search(client, collector, q="123", kind="phone").context["problem"]
    response = _search(client, collector, q="x" * 500, kind="nonsense")
    assert response.status_code == 200
    response = _search(client, collector, q="三丰", sort="nonsense', 1; --")
    assert response.status_code == 200 and _found(response) == ["AC-Z"]
    assert "cannot be sorted" in response.content.decode()


def test_name_search_is_an_index_lookup_with_a_bounded_number_of_queries(client, role_user):
    collector, *_ = _world(role_user)
    for n in range(30):
        make_cardholder(external_id=f"CH-N{n}", name=f"王{n}明")
    client.login(username=collector.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/", {"q": "三丰"})
    searched = [q["sql"] for q in queries.captured_queries if "portfolio_searchkey" in q["sql"]]
    assert searched and all('"key" = ' in sql or "key" in sql for sql in searched)
    assert len(queries.captured_queries) < 25


def test_keys_follow_the_data_and_the_refresh_is_set_at_a_time(role_user):
    holder = make_cardholder(external_id="CH-R", name="赵六", national_id="110101199003070015")
    assert set(SearchKey.objects.filter(cardholder=holder).values_list("kind", "key")) == {
        ("name", "赵六"), ("id4", "0015")}
    holder.name = "赵六六"
    holder.save()
    point = ContactPoint.objects.create(external_id="CP-R", cardholder=holder, kind="mobile",
                                        value="13700001234")
    assert set(SearchKey.objects.filter(cardholder=holder).values_list("kind", "key")) == {
        ("name", "赵六"), ("name", "六六"), ("id4", "0015"), ("phone", "13700001234")}
    point.delete()
    assert not SearchKey.objects.filter(cardholder=holder, kind="phone").exists()
    others = [make_cardholder(name=f"钱{n}") for n in range(20)]
    with CaptureQueriesContext(connection) as queries:
        search_keys_refresh([h.pk for h in others])
    assert len(queries.captured_queries) <= 8  # a few per batch, not per cardholder
