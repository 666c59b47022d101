from django.urls import path

from arrears.recovery import views

app_name = "recovery"
urlpatterns = [
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("placements/", views.placement_list, name="placements"),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("placements/<int:pk>/extend/", views.placement_change, {"action": "extend"},
         name="placement_extend"),
    path("placements/<int:pk>/recall/", views.placement_change, {"action": "recall"},
         name="placement_recall"),
    path("placed/", views.placed, name="placed"),
]
