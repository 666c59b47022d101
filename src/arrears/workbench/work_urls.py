"""The collector's workbench: queue, account screen, team lead pages (mounted at /work/)."""

from django.urls import path

from arrears.users.language import language_set
from arrears.workbench import team_views, work_views

app_name = "work"
urlpatterns = [
    path("", work_views.work_queue, name="queue"),
    path("accounts/<int:pk>/", work_views.work_account, name="account"),
    path("accounts/<int:pk>/call/", work_views.work_call, name="call"),
    path("accounts/<int:pk>/outcome/", work_views.work_outcome, name="outcome"),
    path("accounts/<int:pk>/note/", work_views.work_note, name="note"),
    path("accounts/<int:pk>/plan/", work_views.work_plan, name="plan"),
    path("accounts/<int:pk>/waiver/", work_views.work_waiver, name="waiver"),
    path("language/", language_set, name="language"),
    path("team/", team_views.team_overview, name="team"),
    path("team/queue/", team_views.team_queue, name="team_queue"),
    path("team/reassign/", team_views.team_reassign, name="reassign"),
    path("team/approvals/<int:pk>/", team_views.team_approval_decide, name="approval"),
    path("team/visits/", team_views.team_visits, name="team_visits"),
    path("team/visits/<int:pk>/assign/", team_views.team_visit_assign, name="team_visit_assign"),
]
