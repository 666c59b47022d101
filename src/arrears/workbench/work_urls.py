"""The collector's workbench: queue, account screen, team lead pages (mounted at /work/)."""

from django.urls import path  # noqa: F401

app_name = "work"
urlpatterns: list = []
