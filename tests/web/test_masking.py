"""Masking of personal data (COMPLIANCE.md b.3): M1 for in-house staff, M0 for agencies."""

import pytest

from arrears.portfolio.masking import (
    M0,
    M1,
    luhn_valid,
    mask_address,
    mask_card_number,
    mask_contact_value,
    mask_email,
    mask_emergency_contact,
    mask_name,
    mask_national_id,
    mask_phone,
    national_id_valid,
    pii_scrub,
)

VALID_ID = "11010519491231002X"  # the GB 11643 example: check character X


@pytest.mark.parametrize(
    ("value", "m1", "m0"),
    [
        (VALID_ID, "110***********002X", "**************002X"),
        ("110105491231002", "110*********002", "************002"),
        ("A123456789", "A1******89", "********89"),
    ],
)
def test_national_id(value, m1, m0):
    assert mask_national_id(value, M1) == m1
    assert mask_national_id(value, M0) == m0


def test_national_id_defaults_to_m1():
    assert mask_national_id(VALID_ID) == "110***********002X"


@pytest.mark.parametrize(
    ("value", "m1", "m0"),
    [
        ("13812345678", "138****5678", "*******5678"),
        ("+86 138 1234 5678", "138****5678", "*******5678"),
        ("021-12345678", "021-****5678", "****5678"),
        ("02112345678", "021-****5678", "****5678"),
        ("0571-8888999", "0571-****8999", "****8999"),
        ("+44 7911 123456", "+44 ******* 3456", "****3456"),
        ("+1 415 555 2671", "+1 ******* 2671", "****2671"),
        ("02-2712-3456", "02-****3456", "****3456"),
        ("0912345678", "091****5678", "****5678"),
    ],
)
def test_phone(value, m1, m0):
    assert mask_phone(value, M1) == m1
    assert mask_phone(value, M0) == m0


def test_card_number():
    assert mask_card_number("6222021234561234", M1) == "622202******1234"
    assert mask_card_number("6222 0212 3456 1234", M0) == "**** 1234"


def test_email():
    assert mask_email("zhangsan@example.com", M1) == "z***@example.com"
    assert mask_email("zhangsan@example.com", M0) == "***@example.com"
    assert mask_email("a@b.cn") == "a***@b.cn"


@pytest.mark.parametrize(
    ("address", "m1", "m0"),
    [
        ("北京市朝阳区建国路88号1201室", "北京市朝阳区****", "北京市****"),
        ("广东省深圳市南山区科技园路1号", "广东省深圳市南山区****", "深圳市****"),
        ("新疆维吾尔自治区乌鲁木齐市天山区人民路1号", "新疆维吾尔自治区乌鲁木齐市天山区****",
         "乌鲁木齐市****"),
        ("台北市信義區信義路五段7號", "台北市信義區****", "台北市****"),
        ("12 Main St, Springfield, IL 62704", "****, Springfield, IL 62704", "****, Springfield"),
        ("516 古坑縣光華街7段1號0樓", "古坑縣****", "古坑縣****"),
        ("100台北市中正區重慶南路一段122號", "台北市中正區****", "台北市****"),
    ],
)
def test_address(address, m1, m0):
    assert mask_address(address, M1) == m1
    assert mask_address(address, M0) == m0


def test_address_of_unknown_shape():
    assert mask_address("某村东头第三家") == "某村****"
    assert mask_address("某村东头第三家", M0) == "****"
    assert mask_address("Flat 4 Rose Court Lane") == "Flat 4****"


@pytest.mark.parametrize(
    ("name", "m1", "m0"),
    [("张三丰", "张*", "张*"), ("张三", "张*", "张*"), ("欧阳娜娜", "欧阳*", "欧*"),
     ("歐陽明", "歐陽*", "歐*"), ("John Smith", "J*** S***", "J***")],
)
def test_names_keep_the_surname_and_hide_the_length(name, m1, m0):
    assert mask_name(name, M1) == m1
    assert mask_name(name, M0) == m0


def test_emergency_contact_shows_relation_and_surname_only():
    assert mask_emergency_contact("emergency contact", "王小明") == "emergency contact 王*"


@pytest.mark.parametrize(
    "mask", [mask_national_id, mask_phone, mask_email, mask_address, mask_name, mask_card_number]
)
@pytest.mark.parametrize("level", [M1, M0])
def test_empty_stays_empty(mask, level):
    assert mask("", level) == ""


def test_full_level_leaves_the_value_and_unknown_level_is_refused():
    assert mask_phone("13812345678", "full") == "13812345678"
    with pytest.raises(ValueError, match="Unknown masking level"):
        mask_phone("13812345678", "M9")


@pytest.mark.parametrize(
    ("kind", "value"),
    [("mobile", "13812345678"), ("email", "li.si@example.com"),
     ("home_address", "上海市浦东新区世纪大道100号")],
)
@pytest.mark.parametrize("level", [M1, M0])
def test_contact_value_never_shows_the_whole_value(kind, value, level):
    masked = mask_contact_value(kind, value, level)
    assert masked != value
    assert "*" in masked


def test_checksums():
    assert national_id_valid(VALID_ID)
    assert not national_id_valid("110105194912310021")  # wrong check character
    assert not national_id_valid("110105194913310028")  # month 13
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_pii_scrub_masks_ids_mobiles_and_cards_and_reports_them():
    text = f"身份证{VALID_ID}，手机 138 1234 5678，卡号4111 1111 1111 1111，订单12345678901234567"
    scrubbed, findings = pii_scrub(text)
    assert scrubbed == (
        "身份证**************002X，手机 *******5678，卡号**** 1111，订单12345678901234567"
    )
    assert [f.kind for f in findings] == ["national_id", "mobile", "card_number"]
    assert text[findings[0].start : findings[0].end] == VALID_ID


def test_pii_scrub_leaves_numbers_that_fail_their_checks():
    text = "ID 110105194912310021, card 4111111111111112, ref 23812345678"
    assert pii_scrub(text) == (text, [])


@pytest.mark.django_db
def test_masking_level_by_group(django_user_model):
    from django.contrib.auth.models import AnonymousUser, Group

    collector = django_user_model.objects.create_user("c1")
    collector.groups.add(Group.objects.get_or_create(name="collector")[0])
    agent = django_user_model.objects.create_user("f1")
    agent.groups.add(Group.objects.get_or_create(name="field_agent")[0])
    boss = django_user_model.objects.create_superuser("root")
    from arrears.access.policy import masking_level as masking_level_for

    assert masking_level_for(collector) == M1
    assert masking_level_for(agent) == M0
    assert masking_level_for(boss) == M1  # full only through a reveal
    assert masking_level_for(AnonymousUser()) == M0
    assert masking_level_for(None) == M0
