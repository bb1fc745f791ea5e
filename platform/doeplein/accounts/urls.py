from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile_me, name="profile-me"),
    path("me/edit/", views.profile_edit, name="profile-edit"),
    path("me/export/", views.export_my_data, name="export"),
    path("me/delete/", views.delete_account, name="delete"),
    path("me/tokens/", views.api_tokens, name="api-tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke-api-token"),
    path("<int:user_id>/", views.profile_detail, name="profile"),
]
