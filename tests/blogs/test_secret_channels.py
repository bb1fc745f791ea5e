"""A secret group's post is 404 to a non-member on every channel: page, API, lists, Atom feeds,
notifications, activity and the post's websocket — exactly like a post that does not exist."""

import json

import pytest
from django.test import Client

from blogs import actions
from blogs.models import Follow
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import live_isolation, run  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret(make_user, make_space, live_isolation):  # noqa: F811
    member, outsider = make_user(first_name="Lid"), make_user(first_name="Buiten")
    group = make_space("secret", kind="group", members={member: Role.OWNER})
    # The outsider followed the space's blog and the author before they lost access.
    Follow.objects.create(user=outsider, space=group)
    Follow.objects.create(user=outsider, person=member)
    post = actions.do_create_post(user=member, space=group, title="Geheim plan", body="<p>geheim</p>")
    post = actions.do_publish_post(user=member, post=post)
    return member, outsider, group, post


def test_every_channel_answers_404_or_nothing(secret, call):
    from doeplein.activity.selectors import activity_feed
    from doeplein.notifications.models import Notification

    member, outsider, group, post = secret
    missing = post.pk + 10_000
    for user in (outsider, None):
        client = Client()
        if user is not None:
            client.force_login(user)
        assert client.get(f"/blogs/posts/{post.pk}/").status_code == 404
        assert client.get(f"/blogs/posts/{missing}/").status_code == 404
        assert client.get(f"/blogs/spaces/{group.pk}/").status_code == 404
        assert client.get(f"/blogs/spaces/{group.pk}/feed/").status_code == 404
        assert b"Geheim plan" not in client.get("/blogs/feed/").content
        assert b"Geheim plan" not in client.get("/blogs/").content
        assert b"Geheim plan" not in client.get(f"/blogs/people/{member.pk}/").content
        assert b"Geheim plan" not in client.get("/blogs/?scope=mine").content
        read, gone = (
            call("get", f"/blogs/posts/{post.pk}", user),
            call("get", f"/blogs/posts/{missing}", user),
        )
        assert (
            (read.status_code, read.json())
            == (gone.status_code, gone.json())
            == (404, {"detail": "Not found."})
        )
        assert call("get", f"/blogs/posts/{post.pk}/comments", user).status_code == 404
        assert post.pk not in [p["id"] for p in call("get", "/blogs/posts", user).json()["results"]]
        assert call("get", "/blogs/posts", user, space=group.pk).status_code == 404
    assert call("put", f"/blogs/posts/{post.pk}/follow", outsider, {"on": True}).status_code == 404
    assert call("post", f"/blogs/posts/{post.pk}/comments", outsider, {"body": "hoi"}).status_code == 404
    # Notifications: the outsider's old follows told them nothing.
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert Notification.objects.filter(recipient=member).count() == 0
    # Activity: the publication is recorded, and only members see it.
    assert not activity_feed(user=outsider).filter(target_id=str(post.pk)).exists()
    assert activity_feed(user=member).filter(target_id=str(post.pk), verb="blog.published").exists()
    # The member sees it everywhere.
    client = Client()
    client.force_login(member)
    assert client.get(f"/blogs/posts/{post.pk}/").status_code == 200
    assert call("get", f"/blogs/posts/{post.pk}", member).status_code == 200


def test_the_post_socket_closes_for_outsiders_and_sends_comments_to_readers(secret):
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth.models import AnonymousUser

    from doeplein.routing import websocket_urlpatterns

    member, outsider, group, post = secret

    def socket(user):
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/blogs/posts/{post.pk}/")
        communicator.scope["user"] = user or AnonymousUser()
        return communicator

    async def scenario():
        results = {}
        for name, user in (("outsider", outsider), ("anonymous", None)):
            communicator = socket(user)
            await communicator.connect(timeout=30)
            output = await communicator.receive_output(timeout=30)
            results[name] = output.get("code")
            await communicator.disconnect()
        reader = socket(member)
        connected, _ = await reader.connect(timeout=30)
        assert connected
        hello = await reader.receive_json_from(timeout=30)
        from channels.db import database_sync_to_async

        await database_sync_to_async(actions.do_add_comment)(user=member, post=post, body="Live!")
        frame = await reader.receive_json_from(timeout=30)
        await reader.disconnect()
        return results, hello, frame

    closes, hello, frame = run(scenario)
    assert closes == {"outsider": 4404, "anonymous": 4404}
    assert hello["type"] == "hello"
    assert (frame["type"], frame["body"], frame["author"]) == ("comment", "Live!", "Lid")
    json.dumps(frame)
