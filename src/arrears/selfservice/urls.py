from django.urls import path

from arrears.selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("", views.start, name="start"),
    path("l/<str:token>/", views.link, name="link"),
    path("code/", views.code, name="code"),
    path("out/", views.sign_out, name="sign_out"),
    path("owed/", views.owed, name="owed"),
    path("pay/", views.pay, name="pay"),
    path("pay/callback/<str:provider>/", views.callback, name="callback"),
    path("pay/sim/<str:reference>/", views.simulator_checkout, name="simulator"),
    path("pay/<str:reference>/", views.pay_result, name="pay_result"),
    path("promise/", views.promise, name="promise"),
]
