"""The admin app with the product's site; kept apart from ``arrears.web.apps`` so that Django
still finds one default AppConfig there."""

from django.contrib.admin.apps import AdminConfig


class ArrearsAdminConfig(AdminConfig):
    """Django's admin with the product's site (``arrears.web.admin_site``): its login page,
    branding, audit trail and masking."""

    default_site = "arrears.web.admin_site.ArrearsAdminSite"
