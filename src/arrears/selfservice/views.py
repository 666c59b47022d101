"""The portal's pages: thin shells over the services (sign-in, what I owe, pay, promise).

A page reads the portal cookie (never a staff session) and knows one account: the session's.
No URL or form carries an account; a payment reference of another account finds nothing.
"""

import time
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from arrears.access.policy import accounts_of_cardholder_session
from arrears.access.web import public
from arrears.arrangements.services import ArrangementError, account_today
from arrears.rules.money import AmountError, format_amount, format_money, parse_amount
from arrears.selfservice import payments, promises, selectors, services
from arrears.selfservice.forms import CodeForm, PayForm, PromiseForm, StartForm
from arrears.selfservice.links import link_account_id
from arrears.selfservice.models import LoginChallenge
from arrears.web.backends import client_address


def client_of(request: HttpRequest) -> str:
    """The client's address for the rate limits and the audit trail: the same reading as the
    staff login's throttling (``ARREARS_CLIENT_ADDRESS_HEADER`` behind a proxy)."""
    return client_address(request) or ""


SESSION_COOKIE = "arrears_self"
CHALLENGE_COOKIE = "arrears_self_code"
COOKIE_PATH = "/self/"


def _set_cookie(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    from django.conf import settings

    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def _private(response: HttpResponse) -> HttpResponse:
    """Portal answers are never cached and never send their address (a link's token) to
    another site (``same-origin``: ``no-referrer`` would make the browser send ``Origin: null``
    with the forms, which the CSRF check rightly refuses)."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _page(request: HttpRequest, template: str, context: dict | None = None,
          status: int = 200) -> HttpResponse:
    return _private(render(request, f"selfservice/{template}", context or {}, status=status))


def signed_in(view):
    """Pages for a signed-in cardholder: the portal session's account, or the start page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        account = services.session_account(request.COOKIES.get(SESSION_COOKIE, ""))
        if account is None:
            return _private(redirect("selfservice:start"))
        request.portal_account = account
        return view(request, *args, **kwargs)

    wrapper.access_area = "cardholder"  # the portal's own session, never a staff role
    return wrapper


# --- getting in ----------------------------------------------------------------------------------

@public
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Card's last four digits and the registered mobile; the answer never says whether they
    matched."""
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        client = client_of(request)
        mobile = services.mobile_normalise(form.cleaned_data["mobile"])
        try:
            services.throttle_check(timezone.now(), client=client, mobile=mobile)
        except services.Throttled:
            return _page(request, "start.html", {"form": form, "throttled": True}, status=429)
        account = services.account_by_card_and_mobile(form.cleaned_data["last4"], mobile)
        sent = services.code_request(account, via=LoginChallenge.Via.CARD, client=client)
        services.answer_no_sooner(started)
        return _to_code_page(sent)
    return _page(request, "start.html", {"form": form},
                 status=400 if request.method == "POST" else 200)


@public
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link: GET only shows a button (a link preview must send no code); the POST
    sends the code to the cardholder's own mobile or e-mail."""
    if request.method == "GET":
        return _page(request, "link.html", {"expired": link_account_id(token) is None})
    started = time.monotonic()
    client = client_of(request)
    try:
        services.throttle_check(timezone.now(), client=client, link=token[:64])
    except services.Throttled:
        return _page(request, "link.html", {"throttled": True}, status=429)
    account_id = link_account_id(token)
    if account_id is None:
        return _page(request, "link.html", {"expired": True})
    account = accounts_of_cardholder_session(account_id).first()
    sent = services.code_request(account, via=LoginChallenge.Via.LINK, client=client)
    services.answer_no_sooner(started)
    return _to_code_page(sent)


def _to_code_page(sent: services.CodeRequest) -> HttpResponse:
    response = _private(redirect("selfservice:code"))
    _set_cookie(response, CHALLENGE_COOKIE, sent.handle, max_age=services.code_minutes() * 60)
    return response


@public
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    handle = request.COOKIES.get(CHALLENGE_COOKIE, "")
    if not handle:
        return _private(redirect("selfservice:start"))
    form = CodeForm(request.POST or None)
    problem, left = "", 0
    if request.method == "POST" and form.is_valid():
        checked = services.code_check(handle, form.cleaned_data["code"],
                                      client=client_of(request))
        if checked.session_token:
            response = _private(redirect("selfservice:owed"))
            response.delete_cookie(CHALLENGE_COOKIE, path=COOKIE_PATH)
            _set_cookie(response, SESSION_COOKIE, checked.session_token,
                        max_age=services.session_idle_minutes() * 60 * 4)
            return response
        problem, left = checked.problem, checked.attempts_left
    return _page(request, "code.html", {"form": form, "problem": problem, "left": left},
                 status=400 if request.method == "POST" else 200)


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.session_end(request.COOKIES.get(SESSION_COOKIE, ""), client=client_of(request))
    response = _private(redirect("selfservice:start"))
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


# --- signed in -----------------------------------------------------------------------------------

@signed_in
def owed(request: HttpRequest) -> HttpResponse:
    account = request.portal_account
    view = selectors.owed(account, translation.get_language())
    intents = payments.PaymentIntent.objects.filter(account=account).order_by("-created_at")[:5]
    return _page(request, "owed.html", {"owed": view, "account": account,
                                        "card": f"**** {account.external_id[-4:]}",
                                        "intents": intents})


@signed_in
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    account = request.portal_account
    view = selectors.owed(account, translation.get_language())
    initial = {"amount": _major(view.summary.delinquency.past_due_amount
                                or view.summary.payoff.total, account)}
    form = PayForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            amount = payments.amount_read(form.cleaned_data["amount"], account,
                                          view.summary.payoff.total)
            provider = payments.provider_default()
        except payments.PaymentError as problem:
            error = str(problem)
        else:
            intent = payments.payment_start(account, amount_minor=amount, provider=provider,
                                            client=client_of(request))
            return _private(redirect(provider.checkout_url(
                intent, return_url=f"/self/pay/{intent.reference}/")))
    return _page(request, "pay.html", {"form": form, "owed": view, "error": error},
                 status=400 if request.method == "POST" else 200)


def _major(minor: int, account) -> str:
    return format_amount(minor, account.product.currency).replace(",", "")


@signed_in
def pay_result(request: HttpRequest, reference: str) -> HttpResponse:
    intent = selectors.intent_of(request.portal_account, reference)
    if intent is None:
        return _page(request, "not_found.html", status=404)
    return _page(request, "pay_result.html", {"intent": intent, "amount": _money(intent)})


def _money(intent) -> str:
    return format_money(intent.amount_minor, intent.currency, translation.get_language())


@signed_in
@require_http_methods(["GET", "POST"])
def simulator_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """The simulator's checkout page (the demo's stand-in for a provider's page): paying sends
    the signed callback the provider would send."""
    intent = selectors.intent_of(request.portal_account, reference)
    provider = payments.provider_get("simulator")
    if intent is None or intent.provider != "simulator" or provider is None:
        return _page(request, "not_found.html", status=404)
    if request.method == "POST":
        body, headers = provider.callback_body(intent, succeeded=request.POST.get("pay") == "1")
        payments.payment_callback(provider.name, body, headers, client=client_of(request))
        return _private(redirect("selfservice:pay_result", reference=intent.reference))
    return _page(request, "simulator.html", {"intent": intent, "amount": _money(intent)})


@public
@csrf_exempt
@require_POST
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider calls here, server to server: the signature, not a cookie, authenticates."""
    headers = {key: value for key, value in request.headers.items()}
    try:
        intent = payments.payment_callback(provider, request.body, headers,
                                           client=client_of(request))
    except payments.CallbackInvalid as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return HttpResponse(intent.status, content_type="text/plain")


@signed_in
@require_http_methods(["GET", "POST"])
def promise(request: HttpRequest) -> HttpResponse:
    account = request.portal_account
    form = PromiseForm(request.POST or None,
                       initial={"due_date": account_today(account).isoformat()})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            amount = parse_amount(form.cleaned_data["amount"].strip(), account.product.currency)
            promises.promise_make(account, amount_minor=amount,
                                  due_date=form.cleaned_data["due_date"],
                                  client=client_of(request))
        except AmountError as problem:
            error = _("Amount: %(reason)s.") % {"reason": problem}
        except ArrangementError as problem:
            error = problem.message
        else:
            return _private(redirect("selfservice:owed"))
    return _page(request, "promise.html", {"form": form, "error": error},
                 status=400 if request.method == "POST" else 200)
