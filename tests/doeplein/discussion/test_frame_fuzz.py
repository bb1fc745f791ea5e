"""A hypothesis-driven fuzzer of the room websocket, over real connections through the websocket router.

Each example is a batch of frames, some well-formed, some typed wrong, some hostile text, sent on one
connection as a moderator (so every frame type reaches its handler) and followed by a sentinel. Asserted:
the connection is never dropped without a close frame, every reply is a JSON object with a documented
server frame type, every error has a documented code, and nothing answers ``server_error``.

A fixed seed (``derandomize``) and a bounded number of examples keep CI fast and repeatable;
``DOEPLEIN_FUZZ_FRAMES=500`` runs more.
"""

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doeplein.discussion.registry import registry
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import RECEIVE_TIMEOUT, SENTINEL, is_sentinel_answer, join, run

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("DOEPLEIN_FUZZ_FRAMES", "25"))
DOC = Path(__file__).resolve().parents[3] / "docs" / "live-discussion.md"


def documented():
    text = DOC.read_text(encoding="utf-8")
    server_types = {
        json.loads(block)["type"] for block in re.findall(r"```json server\n(.*?)\n```", text, flags=re.S)
    }
    table = text.split("### error", 1)[1]
    codes = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            codes.update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return server_types, codes


SERVER_TYPES, ERROR_CODES = documented()
FIELDS = (
    "seq",
    "body",
    "client_id",
    "reason",
    "user",
    "minutes",
    "seconds",
    "report",
    "resolution",
    "emoji",
    "pinned",
    "locked",
    "remove",
    "limit",
    "before",
    "last_seq",
    "reply_to",
    "mentions",
)

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "\udfff", "a\x00b", "\x07", "\u202e", "", " ", "👍", "x" * 5000]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    hostile_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
frame_types = st.sampled_from(sorted(registry.frames) + ["nosuch", "\ud800", ""])
frames = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    frame_types,
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=5),
)
raw_texts = st.one_of(
    frames.map(lambda f: json.dumps(f, ensure_ascii=True)),  # ensure_ascii: lone surrogates travel escaped
    st.sampled_from(
        ["[" * 5000 + "]" * 5000, '{"type": "send", "seconds": 1e309}', "{", "null", "[]", "1" * 100]
    ),
)


@pytest.fixture
def fuzz_room(make_user, make_space, make_room, post):
    member, manager = make_user(), make_user()
    space = make_space("members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER})
    room = make_room(space)
    for n in range(3):
        post(member, room, f"Bericht {n}")
    return manager, room


def check_batch(manager, room, texts):
    async def scenario():
        communicator, _ = await join(manager, room.pk)
        for text in texts:
            await communicator.send_to(text_data=text)
        await communicator.send_json_to({"type": SENTINEL})
        replies = []
        while True:
            output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
            assert output["type"] == "websocket.send", (
                f"connection ended without a reply to the sentinel: {output}"
            )
            frame = json.loads(output["text"])
            replies.append(frame)
            if is_sentinel_answer(frame):
                break
        await communicator.disconnect()
        return replies

    for frame in run(scenario):
        assert isinstance(frame, dict) and frame.get("type") in SERVER_TYPES, frame
        if frame["type"] == "error":
            assert frame["code"] in ERROR_CODES and frame["code"] != "server_error", frame


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(texts=st.lists(raw_texts, min_size=1, max_size=8))
def test_fuzzed_frames_never_drop_the_connection_and_every_reply_is_a_documented_frame(fuzz_room, texts):
    manager, room = fuzz_room
    check_batch(manager, room, texts)
