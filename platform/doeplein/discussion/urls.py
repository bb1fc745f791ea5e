from django.urls import path

from . import views

app_name = "discussion"
urlpatterns = [
    path("spaces/<int:space_id>/", views.space_room, name="space-room"),
    path("on/<str:model_label>/<str:object_id>/", views.target_room, name="target-room"),
    path("<int:room_id>/", views.room, name="room"),
    path("<int:room_id>/messages/", views.room_messages, name="messages"),
    path("<int:room_id>/post/", views.post, name="post"),
    path("<int:room_id>/m/<int:seq>/", views.message_fragment, name="message"),
    path("<int:room_id>/m/<int:seq>/<str:verb>/", views.message_action, name="message-action"),
    path("<int:room_id>/<str:verb>/", views.room_action, name="room-action"),
]
