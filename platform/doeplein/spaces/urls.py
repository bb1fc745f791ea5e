"""Membership pages for every kind of space, under /spaces/<space_id>/."""

from django.urls import path

from . import views

app_name = "spaces"
urlpatterns = [
    path("<int:space_id>/members/", views.members, name="members"),
    path("<int:space_id>/members.csv", views.members_csv, name="members-csv"),
    path("<int:space_id>/members/<int:user_id>/role/", views.change_role, name="role"),
    path("<int:space_id>/members/<int:user_id>/remove/", views.remove, name="remove"),
    path("<int:space_id>/members/<int:user_id>/owner/", views.transfer, name="transfer"),
    path("<int:space_id>/join/", views.join, name="join"),
    path("<int:space_id>/leave/", views.leave, name="leave"),
    path("<int:space_id>/request/", views.request_to_join, name="request"),
    path("<int:space_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:space_id>/requests/", views.join_requests, name="requests"),
    path("<int:space_id>/requests/<int:request_id>/decide/", views.decide, name="decide"),
    path("<int:space_id>/invitations/", views.invitations, name="invitations"),
    path("<int:space_id>/invitations/<int:invitation_id>/resend/", views.resend, name="resend"),
    path("<int:space_id>/invitations/<int:invitation_id>/revoke/", views.revoke, name="revoke"),
    path("<int:space_id>/archive/", views.archive, name="archive"),
]
