from django.urls import path

from arrears.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.decisions_overview, name="decisions"),
    path("account/", views.account_lookup, name="account_lookup"),
    path("account/<str:external_id>/", views.account_decision, name="account"),
    path("queue/", views.my_queue, name="queue"),
]
