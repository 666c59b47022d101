"""Login throttling (django-axes) for logins through the web form: per user name and address,
and per address whatever user names it tries (password spraying)."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name and address before the password is checked.

    A login without a request (the test client's ``login()``, a management command) has no
    address to throttle by; it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The client's address for login throttling: from ``ARREARS_CLIENT_ADDRESS_HEADER`` when
    a proxy passes it (the last entry of a list: the one our proxy added, not one the client
    wrote), else the connection's ``REMOTE_ADDR``. Anything that is not an IP address in the
    header is ignored."""
    header = settings.ARREARS_CLIENT_ADDRESS_HEADER
    if header:
        given = request.META.get(header, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(given))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off period, whatever user
    names were tried — counted in axes' failure log, which a successful login does not empty
    (axes' attempts are: a login resets the user name and address it succeeded for)."""
    return AccessFailureLog.objects.filter(
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request)).count()


def address_locked(request) -> bool:
    limit = settings.ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT
    if not limit or not getattr(request, "axes_ip_address", None):
        return False
    return address_failures(request) > limit


def _address_lockout_note(request) -> None:
    """Tells the lockout page (web/lockout.html) that the address is locked, not a name."""
    request.axes_address_locked = True
    request.axes_address_limit = settings.ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT


class AddressThrottleHandler(AxesDatabaseHandler):
    """Axes' own lockout of a user name at an address (``AXES_FAILURE_LIMIT``), plus a lockout
    of the address itself after more than ``ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT`` failures.

    Not axes' ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]``: axes
    compares every combination with the one ``AXES_FAILURE_LIMIT`` (5 failures would lock a
    whole office behind one address), and a successful login deletes the attempts of every
    combination, the address's included — any user logging in would reset the count.
    """

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_locked(request):
            _address_lockout_note(request)
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if (request is None or already_locked or request.axes_locked_out
                or self.is_whitelisted(request, credentials) or not address_locked(request)):
            return
        _address_lockout_note(request)
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request,
                             username=get_client_username(request, credentials),
                             ip_address=request.axes_ip_address)
