"""The room page's server-rendered pieces: one message with its forms, and the review queue without JS."""

import pytest

from doeplein.discussion.actions import do_send_message, get_or_create_room
from doeplein.moderation.actions import do_report_message
from doeplein.spaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_with_message(make_user, make_space):
    member, manager, reader = make_user(), make_user(), make_user()
    space = make_space(
        "members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER, reader: Role.MEMBER}
    )
    room = get_or_create_room(space=space)
    message, _created = do_send_message(user=member, room=room, body="<b>Hallo</b> allemaal", client_id="c1")
    return room, message, member, manager, reader


def test_message_fragment_renders_the_message_with_its_action_forms(client, room_with_message):
    room, message, _member, _manager, reader = room_with_message
    client.force_login(reader)
    response = client.get(f"/discussion/{room.pk}/m/{message.seq}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="m{message.seq}"')
    assert "&lt;b&gt;Hallo&lt;/b&gt; allemaal" in html
    assert f"/discussion/{room.pk}/m/{message.seq}/report/" in html


def test_message_fragment_is_gated_and_404_for_a_missing_message(client, room_with_message, make_user):
    room, message, *_ = room_with_message
    client.force_login(make_user())
    assert client.get(f"/discussion/{room.pk}/m/{message.seq}/").status_code == 403
    client.force_login(room_with_message[4])
    assert client.get(f"/discussion/{room.pk}/m/999/").status_code == 404


def test_review_queue_is_on_the_room_page_for_moderators_without_javascript(client, room_with_message):
    room, message, _member, manager, reader = room_with_message
    report = do_report_message(user=reader, message=message, reason="Te fel")
    client.force_login(manager)
    html = client.get(f"/discussion/{room.pk}/").content.decode()
    assert f'id="queue-report-{report.pk}"' in html
    assert "Te fel" in html
    client.force_login(reader)
    assert f'id="queue-report-{report.pk}"' not in client.get(f"/discussion/{room.pk}/").content.decode()
