"""Templates: sandboxed rendering, merge fields, money per language, save-time checks,
versions, and the shipped defaults."""

import pytest

from arrears.channels.defaults import default_templates
from arrears.channels.models import Template
from arrears.channels.services import (
    SECRET_FIELDS,
    TemplateSaveError,
    template_context_for,
    template_render,
    template_save,
)
from arrears.channels.templating import (
    MERGE_FIELDS,
    TemplateRenderError,
    format_money,
    render_source,
    sample_context,
    template_problems,
)
from arrears.ledger.models import AccountPosition
from tests.channels.conftest import make_debtor

pytestmark = pytest.mark.django_db

STRATEGY_CODES = {
    "CN-SMS-PREDUE", "CN-SMS-M1", "CN-SMS-M1-SOFT", "CN-LTR-M2-NOTICE", "CN-LTR-M3-REGISTERED",
    "CN-LTR-CARD-BLOCK", "CN-LTR-COMPLAINT", "CN-LTR-HARDSHIP-PLAN", "CN-CALL-M1", "CN-CALL-M2",
    "CN-CALL-M3", "CN-CALL-M4", "CN-CALL-BROKEN-PROMISE", "CN-VISIT-M3", "CN-VISIT-M4",
    "CN-AGENCY", "CN-EMAIL-M1", "PLAN-REMINDER", "PROMISE-REMINDER",
}
SELF_SERVICE_CODES = {"SS-CODE-SMS", "SS-CODE-EMAIL"}  # the portal's one-time codes


def problems(body, language="en", subject="", requires_opt_out=False):
    return template_problems(subject=subject, body=body, language=language,
                             requires_opt_out=requires_opt_out)


def test_money_is_written_the_way_each_language_writes_it():
    assert format_money(123456, "CNY", "zh-hans") == "¥1,234.56"
    assert format_money(123456, "CNY", "en") == "CNY 1,234.56"
    assert format_money(5, "CNY", "en") == "CNY 0.05"
    assert format_money(1000, "JPY", "en") == "JPY 1,000"


def test_rendering_fills_merge_fields_in_the_recipients_language():
    text = render_source("{{ name }} owes {{ balance }} on {{ card_number }}", sample_context("en"))
    assert text == "Zhang San owes CNY 1,234.56 on **** 1234"
    assert "¥1,234.56" in render_source("{{ balance }}", sample_context("zh-hans"))


def test_the_sandbox_refuses_to_reach_python_internals():
    escape = "{{ name.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(TemplateRenderError):
        render_source(escape, sample_context("en"))
    assert problems(escape), "an escape attempt must not pass the save-time check"


def test_an_unknown_field_is_an_error_not_a_gap():
    with pytest.raises(TemplateRenderError):
        render_source("Dear {{ nmae }}", {"name": "x"})
    assert problems("Dear {{ nmae }}") == ["body: unknown merge field “nmae”"]


def test_a_syntax_error_names_the_line():
    found = problems("Dear {{ name }},\nyour balance is {{ balance }\n")
    assert len(found) == 1 and found[0].startswith("body, line 2:")


def test_a_forbidden_word_is_named_with_its_rule():
    found = problems("如不还款将通知单位并曝光", language="zh-hans")
    assert any("通知单位" in p and "CN-04" in p for p in found)
    assert any("曝光" in p for p in found)
    assert problems("We will call the police", language="en")


def test_opt_out_text_is_required_when_the_template_says_so():
    assert problems("Dear {{ name }}, please call us.", requires_opt_out=True) == [
        "body: opt-out text is required (e.g. “Reply STOP to opt out”)"
    ]
    assert problems("Dear {{ name }}. Reply STOP to opt out.", requires_opt_out=True) == []


def test_the_model_clean_runs_the_same_checks():
    from django.core.exceptions import ValidationError

    template = Template(code="X", channel="sms", language="en", body="Hi {{ nmae }}")
    with pytest.raises(ValidationError, match="nmae"):
        template.full_clean()


def test_saving_writes_a_new_version_and_keeps_the_old_one():
    first = template_save(code="T-1", language="en", channel="sms", body="Hello {{ name }}")
    second = template_save(code="T-1", language="en", channel="sms", body="Hi {{ name }}")
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert not first.active and second.active
    assert template_render("T-1", "en", {"name": "Li"}).body == "Hi Li"
    assert template_render("T-1", "en", {"name": "Li"}).version == 2


def test_a_bad_template_is_not_saved():
    with pytest.raises(TemplateSaveError) as raised:
        template_save(code="T-2", language="en", channel="sms", body="{{ owed }}")
    assert "owed" in raised.value.problems[0]
    assert not Template.objects.filter(code="T-2").exists()


def test_a_missing_language_falls_back_to_chinese():
    template_save(code="T-3", language="zh-hans", channel="sms", body="您好{{ name }}")
    assert template_render("T-3", "en", {"name": "王五"}).body == "您好王五"


def test_defaults_cover_every_code_of_the_strategy_in_both_languages_and_pass_the_checks():
    rows = default_templates()
    assert {(r["code"], r["language"]) for r in rows} == {
        (code, language) for code in STRATEGY_CODES | SELF_SERVICE_CODES
        for language in ("zh-hans", "en")
    }
    for row in rows:
        assert problems(row["body"], row["language"], row["subject"],
                        row["requires_opt_out"]) == [], (row["code"], row["language"])
    assert Template.objects.filter(active=True).count() == len(rows), "loaded by migration"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_letters_carry_the_cn10_items(language):
    for row in default_templates():
        if row["channel"] != "letter" or row["language"] != language:
            continue
        for field in ("name", "balance", "self_service_link", "bank_phone", "bank_name"):
            assert "{{ " + field + " }}" in row["body"], (row["code"], field)
        words = ("依据", "权利", "异议") if language == "zh-hans" else (
            "basis", "rights", "dispute")
        for word in words:
            assert word in row["body"], (row["code"], word)


def test_call_scripts_open_with_the_identity_block():
    for row in default_templates():
        if row["channel"] in ("call_script", "visit_script"):
            first_lines = row["body"].split("\n")[0]
            assert "{{ collector_name }}" in first_lines and "{{ bank_name }}" in first_lines


def test_context_of_a_real_account(account):
    account = make_debtor(language="en")
    AccountPosition.objects.create(account=account, as_of="2026-06-30", principal_minor=100000,
                                   interest_minor=2345, fees_minor=5000, past_due_minor=30000,
                                   days_past_due=35, bucket="M2")
    context = template_context_for(account)
    assert set(context) == set(MERGE_FIELDS) - SECRET_FIELDS  # a code comes with its message
    assert context["balance"] == "CNY 1,073.45"
    assert context["past_due"] == "CNY 300.00"
    assert context["days_past_due"] == "35"
    assert context["card_number"] == f"**** {account.external_id[-4:]}"
    # a preview stores no link: it shows the portal's front page, never the account number
    assert context["self_service_link"] == "http://127.0.0.1:8000/self/"
