"""Masking of personal data: enough stays visible to tell values apart, never to use them."""

import pytest

from arrears.portfolio.masking import (
    mask_address,
    mask_contact_value,
    mask_email,
    mask_name,
    mask_national_id,
    mask_phone,
)


def test_national_id_keeps_region_code_and_last_four():
    assert mask_national_id("110101199003070015") == "110101********0015"


def test_short_national_id_keeps_only_a_quarter_at_each_end():
    assert mask_national_id("A123456789") == "A1******89"
    assert mask_national_id("A12") == "***"


def test_mobile_keeps_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_phone_keeps_separators_and_masks_only_digits():
    assert mask_phone("02-2712-3456") == "02-2***-3456"
    assert mask_phone("+86 138 1234 5678") == "+86 1** **** 5678"


def test_email_keeps_domain_and_hides_length_of_name():
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("a@b.cn") == "a***@b.cn"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("北京市朝阳区建国路88号1201室", "北京市****"),
        ("广东省深圳市南山区科技园路1号", "广东省深圳市****"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市****"),
        ("台北市信義區信義路五段7號", "台北市****"),
        ("12 Main St, Springfield, IL 62704", "****, Springfield, IL 62704"),
        ("516 古坑縣光華街7段1號0樓", "古坑縣****"),
        ("100台北市中正區重慶南路一段122號", "台北市****"),
    ],
)
def test_address_keeps_province_and_city(address, masked):
    assert mask_address(address) == masked


def test_address_of_unknown_shape_keeps_only_first_characters():
    assert mask_address("某村东头第三家") == "某村****"
    assert mask_address("447 中和忠義路428號之3") == "中和****"
    assert mask_address("Flat 4 Rose Court Lane") == "Flat 4****"


def test_names():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("John Smith") == "J*** S****"


@pytest.mark.parametrize(
    "mask", [mask_national_id, mask_phone, mask_email, mask_address, mask_name]
)
def test_empty_stays_empty(mask):
    assert mask("") == ""


@pytest.mark.parametrize(
    ("kind", "value"),
    [("mobile", "13812345678"), ("email", "li.si@example.com"),
     ("home_address", "上海市浦东新区世纪大道100号")],
)
def test_contact_value_never_shows_the_whole_value(kind, value):
    masked = mask_contact_value(kind, value)
    assert masked != value
    assert "*" in masked
