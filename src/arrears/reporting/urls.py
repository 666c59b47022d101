from django.urls import path

from arrears.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("rolls/", views.roll_rate_report, name="rolls"),
    path("cures/", views.cure_rate_report, name="cures"),
    path("collectors/", views.collector_report, name="collectors"),
    path("compliance/", views.compliance_report_page, name="compliance"),
    path("accounts/", views.report_accounts, name="accounts"),
]
