"""Membership pages for every kind of space (filled in by the membership views)."""

from django.urls import path

from . import views

app_name = "spaces"
urlpatterns = [
    path("<int:space_id>/members/", views.members, name="members"),
]
