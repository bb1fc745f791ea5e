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


def test_a_post_republished_for_members_only_closes_the_open_sockets_of_visitors(
    make_user,
    make_space,
    live_isolation,  # noqa: F811
):
    """Issue 8 on the post socket: the live post's visibility narrows at publication; the visitor's open
    socket closes at once (4404, as for a post that does not exist) and receives no comment after it."""
    from channels.db import database_sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth.models import AnonymousUser

    from doeplein.routing import websocket_urlpatterns

    author, outsider = make_user(first_name="Lid"), make_user()
    space = make_space("public", members={author: Role.OWNER})
    post = actions.do_create_post(user=author, space=space, title="Open plan", body="<p>open</p>")
    post = actions.do_publish_post(user=author, post=post)

    def socket(user):
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/blogs/posts/{post.pk}/")
        communicator.scope["user"] = user or AnonymousUser()
        return communicator

    def narrow():
        actions.do_update_post(user=author, post=post, visibility="members")
        actions.do_publish_post(user=author, post=post)

    async def scenario():
        sockets = {
            name: socket(user)
            for name, user in (("anonymous", None), ("outsider", outsider), ("author", author))
        }
        for communicator in sockets.values():
            connected, _ = await communicator.connect(timeout=30)
            assert connected
            assert (await communicator.receive_json_from(timeout=30))["type"] == "hello"
        await database_sync_to_async(narrow)()
        await database_sync_to_async(actions.do_add_comment)(user=author, post=post, body="Alleen leden")
        seen = {}
        for name, communicator in sockets.items():
            frames = []
            while True:
                output = await communicator.receive_output(timeout=30)
                if output["type"] == "websocket.close":
                    frames.append(("closed", output.get("code")))
                    break
                frame = json.loads(output["text"])
                frames.append((frame["type"], frame.get("body")))
                if frame["type"] == "comment":
                    break
            seen[name] = frames
            await communicator.disconnect()
        return seen

    assert run(scenario) == {
        "anonymous": [("closed", 4404)],
        "outsider": [("closed", 4404)],
        "author": [("post_draft_saved", None), ("post_published", None), ("comment", "Alleen leden")],
    }
