from django.urls import path

from arrears.web import views

app_name = "web"

urlpatterns = [
    path("", views.portfolio_overview, name="portfolio"),
    path("accounts/", views.account_search, name="account_search"),
    path("accounts/<str:external_id>/", views.account_detail, name="account"),
]
