"""The product's admin site: its login page, its branding, its 403 page, and the policies every
registered ModelAdmin gets (an audited change trail, masked personal data).

Installed in place of ``django.contrib.admin`` (``arrears.web.admin_apps.ArrearsAdminConfig`` in
INSTALLED_APPS), so
``admin.site`` and ``@admin.register`` in every app use this site.

- Someone not logged in who opens ``/admin/…`` is sent to the product's ``/login/?next=…``;
  there is no second login form.
- A logged-in user whose roles lack the access policy's ``admin`` area gets the product's 403
  page.
- ``register`` puts ``AuditedAdminMixin``, ``PersonalDataAdminMixin`` and ``ReachAdminMixin``
  in front of every ModelAdmin, including those of Django's auth app and django-axes.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrears.access import policy
from arrears.web.admin_audit import AuditedAdminMixin
from arrears.web.admin_personal import PersonalDataAdminMixin
from arrears.web.admin_reach import ReachAdminMixin

SITE_NAME = _("Arrears 催收管理 · administration")


def with_policies(admin_class: type) -> type:
    """``admin_class`` with the audit trail, the masking of personal data and the access
    policy's reach (``arrears.web.admin_reach``) in front."""
    missing = tuple(mixin for mixin in (AuditedAdminMixin, PersonalDataAdminMixin,
                                        ReachAdminMixin)
                    if not issubclass(admin_class, mixin))
    if not missing:
        return admin_class
    return type(admin_class.__name__, (*missing, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})


class ArrearsAdminSite(admin.AdminSite):
    site_header = SITE_NAME
    site_title = SITE_NAME
    index_title = _("Configuration")
    site_url = None  # the header's own "Back to Arrears" link leads to the product

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, with_policies(admin_class or admin.ModelAdmin),
                         **options)

    def has_permission(self, request) -> bool:
        """The administration is an area of the access policy (``admin``): its roles open it,
        and the model permissions of their groups decide what they see and change there."""
        return policy.may_use(request.user, policy.ADMIN)

    def admin_view(self, view, cacheable=False):
        """Admin pages for staff only: others are sent to the product's login page when they
        are not logged in, and get the product's 403 page when they are."""
        checked = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not self.has_permission(request):
                if request.user.is_authenticated:
                    raise PermissionDenied(_("Your role has no access to the administration."))
                return redirect_to_login(request.get_full_path())
            return checked(request, *args, **kwargs)

        return update_wrapper(guarded, checked)

    def login(self, request, extra_context=None):
        """The admin's own login form is never shown: the product's login page is used."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(_("Your role has no access to the administration."))
        return redirect_to_login(request.GET.get("next")
                                 or reverse("admin:index", current_app=self.name))
