"""Rendering message templates: sandboxed Jinja2 over a whitelist of merge fields.

Templates are written by business users, so they run in Jinja2's ``SandboxedEnvironment``
(no attribute access to Python internals) with ``StrictUndefined`` (a misspelt field is an
error, never an empty gap in a letter), and they only see the merge fields below, already
formatted as text in the recipient's language.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from arrears.compliance.content import content_findings
from arrears.rules.money import format_money

MERGE_FIELDS = {
    "name": _("cardholder's name"),
    "card_last4": _("last four characters of the card account"),
    "card_number": _("masked card account, e.g. **** 1234"),
    "balance": _("outstanding balance"),
    "minimum_due": _("minimum payment due"),
    "past_due": _("amount past due"),
    "due_date": _("payment due date"),
    "days_past_due": _("days past due"),
    "payoff_today": _("amount that pays the account off today"),
    "self_service_link": _("personal link to the self-service portal (expires; reveals nothing)"),
    "one_time_code": _("one-time code for signing in to the self-service portal"),
    "bank_name": _("the card issuer's name"),
    "bank_phone": _("the card issuer's service phone number"),
    "collector_name": _("name of the collector in charge"),
    "today": _("today's date"),
}

# Categories of the compliance word lists that no template may contain. Others (debt words a
# third party must not hear, payment requests) are judged by the gate per contact.
FORBIDDEN_CATEGORIES = frozenset({"threat", "impersonation", "exposure", "legal_threat"})
OPT_OUT_CATEGORY = "opt_out_method"
OPT_OUT_EXAMPLES = {"zh-hans": "回复TD退订", "en": "Reply STOP to opt out"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    version: int = 0


class TemplateRenderError(ValueError):
    """A template that cannot be rendered (unknown field, sandbox violation, missing template)."""


_environment = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)


@lru_cache(maxsize=512)
def compiled(source: str):
    """Compile a source once: the outbox renders the same few sources thousands of times."""
    return _environment.from_string(source)


def render_source(source: str, context: dict) -> str:
    try:
        return compiled(source).render(**{k: context[k] for k in context if k in MERGE_FIELDS})
    except SecurityError as error:
        raise TemplateRenderError(gettext("not allowed in a template: %s") % error) from error
    except TemplateError as error:
        raise TemplateRenderError(str(error)) from error


def format_date(day: date | None, language: str) -> str:
    if day is None:
        return ""
    if language.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def mask_card(external_id: str) -> tuple[str, str]:
    """The account's external id shown like a masked card number: ``("1234", "**** 1234")``."""
    last4 = external_id[-4:]
    return last4, f"**** {last4}"


def _fields_used(source: str) -> set[str]:
    return meta.find_undeclared_variables(_environment.parse(source))


def syntax_problem(source: str, part: str) -> str | None:
    try:
        _environment.parse(source)
    except TemplateSyntaxError as error:
        return gettext("%(part)s, line %(line)d: %(message)s") % {
            "part": part, "line": error.lineno, "message": error.message,
        }
    return None


def template_problems(
    *, subject: str, body: str, language: str, requires_opt_out: bool = False
) -> list[str]:
    """Everything wrong with a template, in words a template editor can act on (empty: fine)."""
    problems = []
    parts = [(gettext("subject"), subject or ""), (gettext("body"), body or "")]
    for part, source in parts:
        problem = syntax_problem(source, part)
        if problem:
            problems.append(problem)
    if problems:
        return problems
    for part, source in parts:
        for field in sorted(_fields_used(source) - MERGE_FIELDS.keys()):
            problems.append(
                gettext("%(part)s: unknown merge field “%(field)s”")
                % {"part": part, "field": field}
            )
    if problems:
        return problems
    problems.extend(_render_problems(parts, language))
    findings = _findings(f"{subject}\n{body}", language)
    problems.extend(
        gettext("forbidden word “%(word)s” (rule %(rule)s)")
        % {"word": finding.word, "rule": finding.rule_id}
        for finding in findings
        if finding.category in FORBIDDEN_CATEGORIES
    )
    if requires_opt_out and not any(f.category == OPT_OUT_CATEGORY for f in findings):
        problems.append(
            gettext("body: opt-out text is required (e.g. “%(example)s”)")
            % {"example": OPT_OUT_EXAMPLES.get(language, OPT_OUT_EXAMPLES["en"])}
        )
    return problems


def _render_problems(parts, language: str) -> list[str]:
    context = sample_context(language)
    problems = []
    for part, source in parts:
        try:
            render_source(source, context)
        except TemplateRenderError as error:
            problems.append(f"{part}: {error}")
    return problems


def _findings(text: str, language: str) -> list:
    return content_findings(text, language)


def sample_context(language: str) -> dict:
    """Merge fields of a made-up cardholder, for previews and the save-time check."""
    from django.conf import settings

    with override(language):
        name = "张三" if language.startswith("zh") else "Zhang San"
        last4, card = mask_card("6222020001234")
        return {
            "name": name,
            "card_last4": last4,
            "card_number": card,
            "balance": format_money(1_234_56, "CNY", language),
            "minimum_due": format_money(300_00, "CNY", language),
            "past_due": format_money(300_00, "CNY", language),
            "due_date": format_date(date(2026, 6, 25), language),
            "days_past_due": "35",
            "payoff_today": format_money(1_256_78, "CNY", language),
            "self_service_link": f"{self_service_entry()}l/SAMPLE-LINK-TOKEN/",
            "one_time_code": "123456",
            "bank_name": bank_name(language),
            "bank_phone": getattr(settings, "ARREARS_BANK_PHONE", "95588"),
            "collector_name": "李四" if language.startswith("zh") else "Li Si",
            "today": format_date(date(2026, 7, 30), language),
        }


def self_service_entry() -> str:
    """The portal's front page (``ARREARS_SELF_SERVICE_URL``): a link without a token, where
    the cardholder signs in with the card's last four digits and the registered mobile."""
    from django.conf import settings

    base = getattr(settings, "ARREARS_SELF_SERVICE_URL", "http://127.0.0.1:8000/self/")
    return base if base.endswith("/") else base + "/"


# The issuer of personal links, lent by the self-service app (``SelfServiceConfig.ready``):
# account ids → {account id: URL}. Without one, messages carry the portal's front page.
_link_issuer: list = []


def link_issuer_register(issuer) -> None:
    _link_issuer[:] = [issuer]


def self_service_links(account_ids) -> dict[int, str]:
    """A personal, expiring link per account (one insert for all of them): the link names no
    account and no amount; the front page for every account when no issuer is registered."""
    ids = list(account_ids)
    if not _link_issuer:
        return dict.fromkeys(ids, self_service_entry())
    return _link_issuer[0](ids)


def bank_name(language: str) -> str:
    from django.conf import settings

    names = getattr(settings, "ARREARS_BANK_NAME", {"zh-hans": "示例银行", "en": "Example Bank"})
    if isinstance(names, str):
        return names
    return names.get(language) or next(iter(names.values()))
