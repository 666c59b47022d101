"""The access policy at the edge of the web pages: an area decorator every view wears, the
account lookups that never let an identifier in a URL decide access alone, and the menu."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from arrears.access import policy
from arrears.portfolio.models import Account

# The first area a user has, in this order, is where "/" and the login send them.
HOME_AREAS = (
    (policy.PORTFOLIO, "web:portfolio"),
    (policy.PLACED, "recovery:placed"),
    (policy.WORK, "work:queue"),
    (policy.VISITS, "dialer:visits"),
    (policy.AUDIT, "web:audit"),
    (policy.ADMIN, "admin:index"),
)


def area_required(area: str):
    """Log in, then 403 unless the user's roles include ``area``. The view is marked with
    ``access_area`` so the access-matrix test can find views that nobody guards."""
    if area not in policy.AREAS:
        raise ValueError(f"Unknown area {area!r}.")

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not policy.may_use(request.user, area):
                raise PermissionDenied(_("Your role does not use this page."))
            return view(request, *args, **kwargs)

        guarded = login_required(guarded)
        guarded.access_area = area
        return guarded

    return decorator


def public(view):
    """Mark a view that needs no logged-in user (it authenticates otherwise or shows nothing
    personal), so the access-matrix test knows it was not forgotten."""
    view.access_area = "public"
    return view


def _not_in_your_work() -> Http404:
    return Http404(_("No such account in your work."))


def account_readable_or_404(user, *, pk=None, external_id=None,
                            related=("cardholder", "product")) -> Account:
    """The account if ``user`` may open it, else 404 without saying whether it exists."""
    accounts = policy.accounts_readable(user).select_related(*related)
    try:
        if pk is not None:
            found = accounts.filter(pk=int(pk)).first()
        else:
            found = accounts.filter(external_id=str(external_id)).first()
    except (TypeError, ValueError):
        raise _not_in_your_work() from None
    if found is None:
        raise _not_in_your_work()
    return found


def account_workable_or_403(user, account: Account) -> Account:
    """``account`` (already readable) if ``user`` may record collection activity on it."""
    if not policy.may_work_account(user, account):
        raise PermissionDenied(
            _("Your role may read this account but not record collection activity on it.")
        )
    return account


def home_url(user) -> str:
    for area, url_name in HOME_AREAS:
        if policy.may_use(user, area):
            return reverse(url_name)
    return reverse("logout")


def menu(request) -> dict:
    """Template context: the areas the user may open (the menu shows only these) and where
    the error pages send them back to (their first page, the login page when logged out)."""
    user = getattr(request, "user", None)
    logged_in = getattr(user, "is_authenticated", False)
    return {
        "user_areas": policy.areas_of(user),
        "home_url": (lambda: home_url(user)) if logged_in else reverse("login"),
    }
