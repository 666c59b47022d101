from django.urls import path

from arrears.web import views

app_name = "web"

urlpatterns = [
    path("", views.portfolio_overview, name="portfolio"),
]
