"""docs/live-discussion.md is kept true: its examples parse, every frame it names exists (and every frame
that exists is in it), every error code the code can send is in its table, and the frames the server
really sends have the keys of the documented examples."""

import ast
import json
import re
from pathlib import Path

import pytest

from doeplein.discussion.registry import registry
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import each_frame, join, next_frame, run

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "live-discussion.md"
CODE_FILES = [
    ROOT / "platform/doeplein/discussion/consumers.py",
    ROOT / "platform/doeplein/discussion/frames.py",
    ROOT / "platform/doeplein/discussion/actions.py",
    ROOT / "platform/doeplein/discussion/selectors.py",
    ROOT / "platform/doeplein/moderation/actions.py",
    ROOT / "platform/doeplein/moderation/discussion.py",
]


def doc_blocks(side):
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"```json {side}\n(.*?)\n```", text, flags=re.S)


def doc_examples(side):
    return [json.loads(block) for block in doc_blocks(side)]


def doc_error_codes():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("### error", 1)[1]
    codes = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            codes.update(re.findall(r"`(\w+)`", first_cell))
    return codes


def emitted_error_codes():
    """Every error code in the code: ``code="…"`` keywords, ``"code": "…"`` in frames, ``FrameError("…")``
    and ``_error("…")`` calls."""
    codes = set()
    for path in CODE_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "code"
                        and isinstance(value, ast.Constant)
                    ):
                        codes.add(value.value)
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    codes.add(keyword.value.value)
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("FrameError", "_error") and node.args and isinstance(node.args[0], ast.Constant):
                codes.add(node.args[0].value)
    return codes


def test_every_example_in_the_document_is_valid_json_with_a_type():
    blocks = doc_blocks("client") + doc_blocks("server")
    assert len(doc_blocks("client")) >= 17 and len(doc_blocks("server")) >= 14
    for block in blocks:
        frame = json.loads(block)
        assert isinstance(frame, dict) and isinstance(frame.get("type"), str), block


def test_every_documented_client_frame_has_a_handler_and_every_handler_is_documented():
    documented = {frame["type"] for frame in doc_examples("client")}
    # The frame types are those registered (the core's and moderation's), not methods of the consumer.
    assert documented == set(registry.frames)


def test_every_error_code_the_code_can_send_is_in_the_error_table():
    emitted = emitted_error_codes()
    # The scan must find the codes (a broken scan would pass vacuously).
    assert {"bad_json", "muted", "rate_limited", "access_revoked", "forbidden", "duplicate_report"} <= emitted
    missing = emitted - doc_error_codes()
    assert not missing, f"error codes missing from docs/live-discussion.md: {sorted(missing)}"


def test_the_error_table_names_no_code_that_the_code_never_sends():
    assert doc_error_codes() - emitted_error_codes() == set()


def test_the_documented_close_codes_are_the_consumers():
    from doeplein.discussion import consumers

    text = DOC.read_text(encoding="utf-8")
    documented = {int(code) for code in re.findall(r"^\| (44\d\d) \|", text, flags=re.M)}
    assert documented == {
        consumers.CLOSE_UNAUTHENTICATED,
        consumers.CLOSE_FORBIDDEN,
        consumers.CLOSE_NOT_FOUND,
        consumers.CLOSE_TOO_SLOW,
    }


@pytest.mark.django_db(transaction=True)
def test_the_frames_the_server_sends_have_the_documented_keys(make_user, make_space, make_room):
    member, manager = make_user(), make_user()
    space = make_space("members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER})
    room = make_room(space)
    real = {}

    async def scenario():
        a, welcome = await join(member, room.pk, last_seq=0)
        real["welcome"] = welcome
        real["caught_up"] = await next_frame(a, "caught_up")
        m, _ = await join(manager, room.pk)
        real["presence"] = await next_frame(a, "presence")
        await a.send_json_to(
            {"type": "send", "client_id": "c-1", "body": "Hallo", "reply_to": None, "mentions": []}
        )
        real["ack"] = await next_frame(a, "ack")
        real["message"] = await next_frame(m, "message")
        await a.send_json_to({"type": "typing"})
        real["typing"] = await next_frame(m, "typing")
        await a.send_json_to({"type": "read", "seq": 1})
        real["unread"] = await next_frame(a, "unread")
        await a.send_json_to({"type": "history", "before": 2, "limit": 50})
        real["history"] = await next_frame(a, "history")
        await m.send_json_to({"type": "report", "seq": 1, "reason": "Toon"})
        # A moderator who reports gets both; the two may come in either order.
        real.update(await each_frame(m, "reported", "report"))
        await m.send_json_to({"type": "reports"})
        real["reports"] = await next_frame(m, "reports")
        await m.send_json_to({"type": "hide", "seq": 1, "reason": "Houd het zakelijk"})
        real["message_updated"] = await next_frame(a, "message_updated")
        await m.send_json_to({"type": "lock", "locked": True, "reason": "Einde"})
        real["room"] = await next_frame(a, "room")
        await m.send_json_to({"type": "mute", "user": member.pk, "minutes": 60, "reason": "Off-topic"})
        real["done"] = await next_frame(m, "done")
        real["sanction"] = await next_frame(a, "sanction")
        await a.send_json_to({"type": "send", "client_id": "c-2", "body": "Nog iets"})
        real["error"] = await next_frame(a, "error")
        await a.disconnect()
        await m.disconnect()

    run(scenario)

    documented = {}
    for example in doc_examples("server"):
        # Of two examples of one type, the fullest is the reference (message_updated shows hidden_reason).
        if example["type"] not in documented or len(example) > len(documented[example["type"]]):
            documented[example["type"]] = example
    assert set(documented) == set(real), "every documented server frame is compared with a real one"
    for kind, frame in real.items():
        assert set(frame) == set(documented[kind]), kind
    assert set(real["welcome"]["room"]) == set(documented["welcome"]["room"])
    assert set(real["welcome"]["you"]) == set(documented["welcome"]["you"])
    assert set(real["report"]) == set(documented["report"])
    assert real["error"]["code"] == "muted" and real["error"]["ref"] == "c-2"
    assert real["message_updated"]["body"] is None
