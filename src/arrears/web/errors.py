"""The page a browser gets when a form fails Django's CSRF check, in the product's look and
the reader's language (Django's own page is English and plain)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: Django has already logged ``reason`` (django.security.csrf)."""
    return render(request, "403_csrf.html", status=403)
