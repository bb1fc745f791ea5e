from django.urls import path

from . import feeds, views

app_name = "blogs"
urlpatterns = [
    path("", views.listing, name="list"),
    path("feed/", feeds.PlatformFeed(), name="feed"),
    path("write/", views.write, name="write"),
    path("spaces/<int:space_id>/", views.space_posts, name="space"),
    path("spaces/<int:space_id>/feed/", feeds.SpaceFeed(), name="space-feed"),
    path("spaces/<int:space_id>/settings/", views.space_settings, name="space-settings"),
    path("people/<int:user_id>/", views.person_posts, name="person"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.edit, name="edit"),
    path("posts/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("posts/<int:pk>/preview/", views.preview, name="preview"),
    path("posts/<int:pk>/publish/", views.publish, name="publish"),
    path("posts/<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("posts/<int:pk>/submit/", views.submit_for_review, name="submit"),
    path("posts/<int:pk>/review/", views.review, name="review"),
    path("posts/<int:pk>/revisions/", views.revisions, name="revisions"),
    path("posts/<int:pk>/revisions/compare/", views.compare, name="compare"),
    path("posts/<int:pk>/revisions/<int:revision_id>/restore/", views.restore, name="restore"),
    path("posts/<int:pk>/close-comments/", views.close_comments, name="close-comments"),
    path("posts/<int:pk>/comments/", views.add_comment, name="comment"),
    path(
        "posts/<int:pk>/comments/<int:comment_id>/<slug:verb>/", views.comment_action, name="comment-action"
    ),
    path("follow/<slug:kind>/<int:target_id>/", views.follow, name="follow"),
]
