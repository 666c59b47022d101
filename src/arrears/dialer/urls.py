from django.urls import path

from arrears.dialer import views

app_name = "dialer"
urlpatterns = [
    path("visits/", views.visit_list, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/approve/", views.visit_approve_view, name="visit_approve"),
]
