"""Workspace pages, mounted at /workspaces/ through the doeplein_urls hook (see wagtail_hooks.py)."""

from django.urls import path

from . import views

app_name = "workspaces"
urlpatterns = [
    path("", views.directory, name="list"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
]
