"""Login throttling (django-axes) for logins through the web form."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name and address before the password is checked.

    A login without a request (the test client's ``login()``, a management command) has no
    address to throttle by; it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
