from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("experts/", views.expert_finder, name="experts"),
    path("experts/invite/", views.invite, name="invite"),
    path("spaces/<int:space_id>/teams/", views.team_suggestions, name="suggestions"),
    path("teams/requests/<int:request_id>/", views.team_request, name="request"),
    path("teams/requests/<int:request_id>/invite/", views.invite_team, name="invite_team"),
]
