"""Issue 14, consumer part: each reported crash and ``server_error`` is a regression test here. A frame is
parsed into its typed model before a handler runs; a refusal is an error frame, never a dropped
connection; presence goes however a connection ends; unknown paths close with 4404."""

import asyncio
import json

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from redis.exceptions import TimeoutError as RedisTimeoutError

from doeplein.discussion import frames, presence
from doeplein.discussion.consumers import encode
from doeplein.discussion.registry import DiscussionRegistry, FrameType, registry
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import RECEIVE_TIMEOUT, join, next_frame, run, still_works

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    member, manager = make_user(), make_user()
    space = make_space("members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER})
    room = make_room(space)
    post(member, room, "Eerste")
    return member, manager, room


SURROGATE = "\\ud800"  # as the JSON text carries it: an escaped lone surrogate
HOSTILE = [
    # (raw frame text, error code): every one crashed the consumer or answered server_error before.
    (f'{{"type": "{SURROGATE}"}}', "unknown_type"),
    (f'{{"type": "send", "client_id": "{SURROGATE}", "body": "x"}}', "bad_client_id"),
    (f'{{"type": "send", "client_id": "ok-1", "body": "a{SURROGATE}b"}}', "bad_value"),
    ('{"type": "send", "client_id": "ok-2", "body": "bell \\u0007"}', "bad_value"),
    (f'{{"type": "hide", "seq": 1, "reason": "{SURROGATE}"}}', "bad_value"),
    ('{"type": "hide", "seq": 1, "reason": 42}', "bad_frame"),
    ('{"type": "lock", "locked": true, "reason": ["x"]}', "bad_frame"),
    ('{"type": "mute", "user": 2, "minutes": 1000000000000000000000000000000}', "bad_value"),
    ('{"type": "mute", "user": 2, "minutes": 1e309}', "bad_value"),  # json.loads makes it inf
    ('{"type": "ban", "user": 2, "minutes": -5}', "bad_value"),
    ('{"type": "slow_mode", "seconds": 1e309}', "bad_value"),
    ('{"type": "slow_mode", "seconds": 99999999999999999999}', "bad_value"),
    ('{"type": "slow_mode", "seconds": NaN}', "bad_json"),
    ('{"type": "edit", "seq": 99999999999999999999999, "body": "x"}', "bad_frame"),
    ("[" * 30000 + "]" * 30000, "bad_frame"),
    ('{"a":' * 20000 + "1" + "}" * 20000, "bad_frame"),
    (
        '{"type": "send", "client_id": "deep", "body": "x", "mentions": ' + "[" * 40 + "]" * 40 + "}",
        "bad_frame",
    ),
]


def test_each_hostile_frame_gets_a_clear_error_and_the_connection_lives_on(setting, settings):
    member, manager, room = setting
    # The 20,000-deep object is 100 KB: a larger frame limit shows the depth check, not the size, refuses it.
    settings.DISCUSSION_MAX_FRAME_BYTES = 256 * 1024

    async def scenario():
        communicator, _ = await join(manager, room.pk)
        answers = []
        for n, (text, _code) in enumerate(HOSTILE):
            await communicator.send_to(text_data=text)
            answers.append((await next_frame(communicator, "error"))["code"])
            await still_works(communicator, client_id=f"alive-{n}")
        await communicator.disconnect()
        return answers

    assert run(scenario) == [code for _text, code in HOSTILE]


def test_an_unexpected_failure_is_a_logged_server_error_with_an_id(setting, monkeypatch, caplog):
    member, manager, room = setting

    async def explode(conn, frame):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.frames, "typing", FrameType("typing", frames.Typing, explode))

    async def scenario():
        communicator, _ = await join(member, room.pk)
        await communicator.send_json_to({"type": "typing"})
        error = await next_frame(communicator, "error")
        ack = await still_works(communicator)
        await communicator.disconnect()
        return error, ack

    error, ack = run(scenario)
    assert error["code"] == "server_error" and len(error["id"]) == 12 and error["id"] in error["message"]
    assert any(error["id"] in record.getMessage() for record in caplog.records)
    assert ack["type"] == "ack"


def test_error_frames_encode_even_with_lone_surrogates():
    text = encode({"type": "error", "code": "x", "message": "bad \ud800 text"})
    assert json.loads(text)["message"] == "bad ? text"
    text.encode("utf-8")


def test_depth_is_measured_without_recursion_and_strings_do_not_count():
    assert frames.too_deep("[" * 30000 + "]" * 30000)
    assert not frames.too_deep(json.dumps({"type": "send", "body": "[" * 1000}))
    assert not frames.too_deep(json.dumps({"a": [[[1]]]}))


def test_registering_a_frame_type_twice_is_an_error():
    from django.core.exceptions import ImproperlyConfigured

    own = DiscussionRegistry()

    async def handle(conn, frame):
        return None

    own.register_frame(FrameType("typing", frames.Typing, handle))
    with pytest.raises(ImproperlyConfigured):
        own.register_frame(FrameType("typing", frames.Typing, handle))
    with pytest.raises(ImproperlyConfigured):
        registry.register_frame(
            FrameType("typing", frames.Typing, handle)
        )  # the core registered it at start-up


def test_moderation_registers_its_frames_and_discussion_imports_no_moderation():
    import ast
    from pathlib import Path

    assert {
        "hide",
        "unhide",
        "pin",
        "lock",
        "slow_mode",
        "mute",
        "ban",
        "resolve",
        "reports",
        "report",
    } <= set(registry.frames)
    assert registry.sanctions_reader is not None and registry.pre_send_checks
    package = Path(frames.__file__).parent
    imports = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imports.append(node.module)
            elif isinstance(node, ast.Import):
                imports.extend(alias.name for alias in node.names)
    assert len(imports) > 20
    assert [name for name in imports if "moderation" in name] == []


# --- presence ------------------------------------------------------------------------------------
def test_presence_goes_when_a_connection_dies_without_a_disconnect(setting):
    member, manager, room = setting

    async def scenario():
        communicator, _ = await join(member, room.pk)
        present = await asyncio.to_thread(presence.online, room.pk)
        communicator.future.cancel()  # the application task dies: no websocket.disconnect ever comes
        # Cancelled while channels-redis waits on a read, redis-py may report the cancellation as its own
        # TimeoutError (seen on a loaded machine); either way the task is dead, which is what this tests.
        with pytest.raises((asyncio.CancelledError, RedisTimeoutError)):
            await communicator.future
        gone = await asyncio.to_thread(presence.online, room.pk)
        return present, gone

    present, gone = run(scenario)
    assert [p["id"] for p in present] == [member.pk]
    assert gone == []


def test_presence_counts_each_connection_and_an_expired_entry_is_gone(setting):
    member, manager, room = setting
    first = presence.enter(room.pk, member, "channel-1")
    second = presence.enter(room.pk, member, "channel-2")
    assert first == second == [{"id": member.pk, "name": member.display_name}]
    assert presence.leave(room.pk, presence.connection_key(member, "channel-1")) == first  # one still open
    assert presence.leave(room.pk, presence.connection_key(member, "channel-2")) == []
    # A dead process's connection: its expiry passed without a heartbeat.
    presence.store().add(presence._key(room.pk), presence.connection_key(manager, "dead"), 1.0)
    assert presence.online(room.pk) == []
    presence.refresh(room.pk, presence.connection_key(manager, "dead"))  # a late heartbeat revives nothing
    assert presence.online(room.pk) == []


def test_presence_without_redis_lives_in_memory(setting, settings):
    member, manager, room = setting
    settings.REDIS_URL = ""
    assert isinstance(presence.store(), presence.MemoryStore)
    assert presence.enter(room.pk, member, "c") == [{"id": member.pk, "name": member.display_name}]
    assert presence.leave(room.pk, presence.connection_key(member, "c")) == []


# --- handshakes and forms ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/ws/",
        "/ws/nosuch/",
        "/ws/rooms/abc/",
        "/ws/rooms/-1/",
        "/ws/rooms/24",
        "/ws/rooms/99999999999999999999999/",
    ],
)
def test_unknown_websocket_paths_close_with_4404(path):
    from doeplein.routing import websocket_urlpatterns

    async def scenario():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        communicator.scope["user"] = AnonymousUser()
        connected, code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
        closed = await communicator.receive_output(timeout=RECEIVE_TIMEOUT) if connected else {"code": code}
        await communicator.disconnect()
        return closed.get("code")

    assert run(scenario) == 4404


def test_the_sanction_form_refuses_a_huge_duration_with_a_form_error(setting, client):
    from doeplein.moderation.models import Sanction

    member, manager, room = setting
    client.force_login(manager)
    for minutes in ("99999999999999999999", "1e309", "-1"):
        response = client.post(
            f"/discussion/{room.pk}/sanction/",
            {"user": str(member.pk), "kind": "mute", "minutes": minutes, "reason": "x"},
            follow=True,
        )
        assert response.status_code == 200
        notes = [str(m) for m in response.context["messages"]]
        assert len(notes) == 1 and ("minuten" in notes[0].lower() or "minutes" in notes[0].lower()), notes
    response = client.post(f"/discussion/{room.pk}/slow-mode/", {"seconds": "1e309"}, follow=True)
    assert response.status_code == 200
    assert not Sanction.objects.exists()


def test_the_protocol_documents_frame_tables_are_generated_from_the_models():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "live-discussion.md").read_text(encoding="utf-8")
    start, end = "<!-- frame tables: generated -->", "<!-- end of frame tables -->"
    assert start in doc and end in doc
    written = doc.split(start, 1)[1].split(end, 1)[0].strip()
    assert written == frames.protocol_tables(registry.frames.values()), (
        "docs/live-discussion.md is out of date: run "
        '`.venv/bin/python manage.py shell -c "from doeplein.discussion.frames import write_protocol_tables; '
        'write_protocol_tables()"`'
    )


def test_every_client_frame_model_refuses_a_lone_surrogate_in_every_text_field():
    for frame_type in registry.frames.values():
        for name, info in frame_type.model.model_fields.items():
            if name == "type" or "str" not in str(info.annotation) or "Literal" in str(info.annotation):
                continue
            with pytest.raises(frames.FrameError):
                frames.validate(
                    frame_type.model,
                    {
                        "type": frame_type.name,
                        "seq": 1,
                        "user": 1,
                        "report": 1,
                        "seconds": 0,
                        "resolution": "kept",
                        "client_id": "c",
                        "body": "b",
                        "emoji": "👍",
                        name: "x\ud800",
                    },
                )
