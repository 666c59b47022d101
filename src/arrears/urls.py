"""Root URL map: the web pages, the REST API and the admin.

The language comes from the user's choice (a cookie set by ``/i18n/setlang/``) or the browser's
``Accept-Language``; Simplified Chinese is the default.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from arrears.api.api import api
from arrears.web.login import LoginView

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("decisions/", include("arrears.workbench.urls")),
    path("work/", include("arrears.workbench.work_urls")),
    path("channels/", include("arrears.channels.urls")),
    path("dialer/", include("arrears.dialer.urls")),
    path("reports/", include("arrears.reporting.urls")),
    path("self/", include("arrears.selfservice.urls")),
    path("recovery/", include("arrears.recovery.urls")),
    path("", include("arrears.web.urls")),
]
