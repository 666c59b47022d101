"""Text tables line up in a terminal whether the labels are English or Chinese."""

from arrears.api.console import display_width, pad, table


def test_chinese_characters_take_two_columns():
    assert display_width("逾期天数") == 8
    assert display_width("Days") == 4
    assert pad("账龄", 6) == "账龄  "
    assert pad("1.00", 6, right=True) == "  1.00"


def test_table_columns_line_up_by_display_width():
    lines = table(["项目", "Amount"], [["本金", "1000.00"], ["Fees", "5.00"]], right=[1])
    assert lines == [
        "项目   Amount",
        "本金  1000.00",
        "Fees     5.00",
    ]
