from django.urls import path

from arrears.web import audit_views, views

app_name = "web"

urlpatterns = [
    path("", views.portfolio_overview, name="portfolio"),
    path("accounts/", views.account_search, name="account_search"),
    path("accounts/<str:external_id>/", views.account_detail, name="account"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/exports/", audit_views.audit_export_request, name="audit_export_request"),
    path("audit/exports/<int:pk>/decide/", audit_views.audit_export_decide,
         name="audit_export_decide"),
    path("audit/exports/<int:pk>/download/", audit_views.audit_export_download,
         name="audit_export_download"),
]
