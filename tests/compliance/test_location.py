"""Where the debtor is: Chinese addresses placed by their administrative divisions, phone
numbers that say nothing about a place, and no silent default zone when nothing is known."""

from datetime import UTC, datetime

import pytest

from arrears.compliance import gate, services
from arrears.compliance.divisions import places, zones_for_chinese_address
from arrears.compliance.gate.request import ContactRequest
from arrears.compliance.selectors import pack_cache_clear
from arrears.compliance.timezones import locate, zones_for_address, zones_for_phone
from arrears.dialer.models import SkipTraceTask
from tests.factories import make_account, make_cardholder

URUMQI = ("Asia/Shanghai", "Asia/Urumqi")
US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
            "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")


@pytest.mark.parametrize(("address", "zones", "path"), [
    ("上海市浦东新区世纪大道100号", ("Asia/Shanghai",), ["上海市", "上海市", "浦东新区"]),
    ("上海市新疆路100号", ("Asia/Shanghai",), ["上海市"]),
    ("新疆维吾尔自治区乌鲁木齐市天山区", URUMQI, ["新疆维吾尔自治区", "乌鲁木齐市", "天山区"]),
    ("新疆乌鲁木齐市", URUMQI, ["新疆维吾尔自治区", "乌鲁木齐市"]),
    ("乌鲁木齐市沙依巴克区", URUMQI, ["新疆维吾尔自治区", "乌鲁木齐市"]),
    ("石河子市北四路", URUMQI, ["新疆维吾尔自治区", "石河子市"]),
    ("中国广东省深圳市南山区科技园", ("Asia/Shanghai",), ["广东省", "深圳市", "南山区"]),
    ("香港特别行政区中环", ("Asia/Hong_Kong",), ["香港特别行政区"]),
])
def test_chinese_addresses_are_placed_by_their_divisions(address, zones, path):
    assert zones_for_chinese_address(address) == zones
    assert [d.name for d in places(address)[0].divisions] == path


def test_a_name_shared_by_two_districts_keeps_both_places():
    found = places("朝阳区建国路1号")
    assert sorted(p.province.name for p in found) == ["北京市", "吉林省"]


def test_a_street_named_after_a_province_is_not_that_province():
    # The literal word 新疆 used to put this Shanghai address on Xinjiang time too.
    assert zones_for_address("上海市新疆路100号") == ("Asia/Shanghai",)
    assert zones_for_address("Urumqi, Xinjiang") == URUMQI
    assert zones_for_address("42 Hidden Lane") == ()


def test_non_geographic_numbers_do_not_widen_the_candidates():
    assert zones_for_phone("+1 800 555 0100", "US") == ()
    assert zones_for_phone("+1 212 555 0134", "US") == ("America/New_York",)
    location = locate(phone="+1 800 555 0100", region="US", unknown=US_ZONES)
    assert location.unknown and location.zones == US_ZONES


def test_with_no_location_signal_every_zone_of_the_jurisdiction_and_a_note():
    pack = gate.default_pack("US-FDCPA")
    request = ContactRequest.from_json({"profile": "US-FDCPA", "action": "call",
                                        "at": "2025-06-02T10:00:00-04:00",
                                        "phone": "+1 800 555 0100"})
    answer = gate.gate_check(request, pack)
    assert answer.location_unknown and answer.notes
    assert set(answer.time_zones) == set(US_ZONES)
    # 08:00 in Honolulu is 14:00 in New York: the first minute lawful everywhere.
    assert answer.verdict == "delay"
    assert answer.not_before == datetime(2025, 6, 2, 18, 0, tzinfo=UTC)
    known = gate.gate_check(ContactRequest.from_json(
        {"profile": "US-FDCPA", "action": "call", "at": "2025-06-02T10:00:00-04:00",
         "phone": "+1 212 555 0134", "content": "This is a debt collector."}), pack)
    assert not known.location_unknown and known.verdict == "allow"


def test_an_account_action_needs_no_location():
    answer = gate.gate_check(ContactRequest.from_json(
        {"profile": "US-FDCPA", "action": "fee_post", "at": "2025-06-02T10:00:00-04:00"}),
        gate.default_pack("US-FDCPA"))
    assert not answer.location_unknown and answer.verdict == "allow"


@pytest.mark.django_db
def test_gate_ask_opens_one_task_to_find_a_debtor_nobody_can_place():
    pack_cache_clear()
    account = make_account(cardholder=make_cardholder(time_zone=""))
    morning = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    for _ in range(2):
        answer = services.gate_ask(account, channel="sms", at=morning)
        assert answer.location_unknown and answer.time_zones == ("Asia/Shanghai",)
    tasks = SkipTraceTask.objects.filter(account=account, status="open")
    assert tasks.count() == 1 and "Location unknown" in tasks.get().note
