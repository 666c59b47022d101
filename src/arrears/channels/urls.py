from django.urls import path

from arrears.channels import views

app_name = "channels"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("simulator/", views.simulator, name="simulator"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("sms/receipts/", views.sms_receipts, name="sms_receipts"),
]
