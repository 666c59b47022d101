"""The login page: after login, ``next`` is followed only when it is a plain path of this site.

Django's own check lets through values a browser or a proxy may read differently (``/%2F%2F…``
decoded once more, backslashes, a full URL of the same host); anything but a plain local path
goes to the role's first page instead (review finding, issue 10).
"""

import re

from django.contrib.auth import views as auth_views
from django.utils.http import url_has_allowed_host_and_scheme

PLAIN_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~/?=&+,;:@!$'()*%]*$")
ENCODED_SLASH = re.compile(r"%(2f|5c|25)", re.IGNORECASE)


def local_path_or_empty(target: str) -> str:
    if not target or not PLAIN_PATH.match(target) or ENCODED_SLASH.search(target):
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return ""
    return target


class LoginView(auth_views.LoginView):
    def get_redirect_url(self):
        return local_path_or_empty(super().get_redirect_url())
