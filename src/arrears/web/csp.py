"""The Content-Security-Policy of every answer: the browser runs scripts and applies styles
only from this site's own files, never inline, frames no page of ours into another site and
posts forms only back here. An injected ``<script>``, ``onclick=`` or ``style=`` (should an
escaping mistake ever let one through) is refused by the browser and reported in its console.

The pages carry no inline script or style (their CSS classes are in the static files); the
Django admin of 5.2 is clean too, so one strict policy covers every path (docs/security.md,
"Content-Security-Policy").
"""

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    # data: images: the admin's and the API docs' small icons; an image runs nothing.
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
POLICY = "; ".join(f"{name} {sources}" for name, sources in DIRECTIVES)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not carry one already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(HEADER, POLICY)
        return response
