"""The send path's database work, as the consumer does it for one ``send`` frame: the verdict read before
the frame (``room_access``) and the action. The count is printed (issue 15 measures it) and must not grow
with the room."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doeplein.discussion import actions
from doeplein.spaces.models import Role


def one_send(user, room):
    with CaptureQueriesContext(connection) as queries:
        access = actions.room_access(user, room)
        actions.do_send_message(user=user, room=room, body="Hallo", client_id=uuid.uuid4().hex, access=access)
    return len(queries)


@pytest.mark.django_db
def test_queries_per_send_do_not_grow_with_the_room(make_user, make_space, make_room, post):
    member = make_user()
    room = make_room(make_space("members", members={member: Role.MEMBER}))
    one_send(member, room)  # warm the word-filter cache, as a running room has it
    early = one_send(member, room)
    for n in range(60):
        post(member, room, f"Bericht {n}")
    late = one_send(member, room)
    print(f"queries per send: {early} (verdict + action)")  # noqa: T201  (the figure issue 15 asks for)
    assert late == early


def one_websocket_send(user, room, access):
    """What the consumer does for a ``send`` frame: the verdict it keeps per socket, the per-person writes
    queued (write-behind)."""
    with CaptureQueriesContext(connection) as queries:
        actions.do_send_message(
            user=user, room=room, body="Hallo", client_id=uuid.uuid4().hex, access=access, write_behind=True
        )
    return [q["sql"] for q in queries]


@pytest.mark.django_db
def test_a_websocket_send_is_the_duplicate_check_and_one_insert(make_user, make_space, make_room, post):
    member = make_user()
    room = make_room(make_space("members", members={member: Role.MEMBER}))
    access = actions.room_access(member, room)
    one_websocket_send(member, room, access)  # warm the word-filter cache
    early = one_websocket_send(member, room, access)
    for n in range(60):
        post(member, room, f"Bericht {n}")
    late = one_websocket_send(member, room, access)
    print(f"queries per websocket send: {len(early)} (verdict cached, per-person writes batched)")  # noqa: T201
    assert len(late) == len(early) == 2
    assert early[0].startswith("SELECT") and "client_id" in early[0]  # the retried-send check
    assert (
        "INSERT INTO" in early[1] and "last_seq = last_seq + 1" in early[1]
    )  # number and row, one statement
