"""Group pages, mounted at /groups/ through the doeplein_urls hook (see wagtail_hooks.py)."""

from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("", views.listing, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>-<slug:slug>/", views.detail, name="detail"),
    path("<int:pk>-<slug:slug>/edit/", views.edit, name="edit"),
]
