"""The membership pages (/spaces/<id>/...) and the invitation link (/invitations/<token>/), through Client.

Every page and action: the happy path, who may (403 for people who may see the space, 404 for a
secret one), bad input with a clear message and a 4xx, the CSV export and flat query counts.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from doeplein.accounts.models import Profile, User
from doeplein.spaces.actions import do_invite, do_request_to_join
from doeplein.spaces.models import Invitation, JoinPolicy, JoinRequest, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English, so that the assertions can read them (Dutch is the site's default)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def url(name, space, **kwargs):
    return reverse(f"spaces:{name}", kwargs={"space_id": space.pk, **kwargs})


def as_user(client, user):
    client.force_login(user)
    return client


def role_of(space, user):
    return Membership.objects.filter(space=space, user=user).values_list("role", flat=True).first()


def page_text(response):
    return response.content.decode()


@pytest.fixture
def team(make_user, make_space):
    """A members-only space with an owner, a community manager, a member and a guest."""
    owner = make_user(first_name="Olga", last_name="Owner")
    manager = make_user(first_name="Carl", last_name="Manager")
    member = make_user(first_name="Mia", last_name="Member")
    guest = make_user(first_name="Gus", last_name="Guest")
    space = make_space(
        "members",
        members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER, member: Role.MEMBER, guest: Role.GUEST},
    )
    return type(
        "Team", (), {"space": space, "owner": owner, "manager": manager, "member": member, "guest": guest}
    )


# --- Members page -------------------------------------------------------------------------------------------
def test_members_page_lists_members_with_their_role_labels(client, team):
    response = as_user(client, team.member).get(url("members", team.space))
    assert response.status_code == 200
    text = page_text(response)
    for name, label in (
        ("Olga Owner", "Owner"),
        ("Carl Manager", "Community manager"),
        ("Mia Member", "Member"),
        ("Gus Guest", "Guest"),
    ):
        assert re.search(rf"{name}</a>.*?<td>[^<]*</td>\s*<td>{label}</td>", text, re.S), name
    assert 'scope="col"' in text and 'scope="row"' in text


def test_public_space_members_page_is_open_to_anonymous_visitors(client, make_user, make_space):
    person = make_user(first_name="Pia", last_name="Public")
    space = make_space("public", members={person: Role.MEMBER})
    response = client.get(url("members", space))
    assert response.status_code == 200
    assert "Pia Public" in page_text(response)


@pytest.mark.needs_plugins("groups")
def test_group_members_page_uses_group_role_names(client, make_user):
    from groups.models import Group

    owner, admin, member = make_user(), make_user(), make_user()
    group = Group.objects.create(name="Tuinclub", slug="tuinclub", policy="open", visibility="logged_in")
    for user, role in ((owner, Role.OWNER), (admin, Role.COMMUNITY_MANAGER), (member, Role.MEMBER)):
        Membership.objects.create(space=group, user=user, role=role)
    text = page_text(as_user(client, owner).get(url("members", group)))
    assert "<td>Admin</td>" in text
    assert "Community manager" not in text
    # The owner's role select offers the group's roles only: no guests in a group.
    assert '<option value="30">Admin</option>' in text
    assert 'value="10"' not in text


def test_members_search_finds_by_name_and_by_organisation(client, team):
    Profile.objects.filter(user=team.member).update(organisation="Gemeente Utrecht")
    response = as_user(client, team.owner).get(url("members", team.space), {"q": "utrecht"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Mia Member" in text and "Olga Owner" not in text
    text = page_text(client.get(url("members", team.space), {"q": "carl"}))
    assert "Carl Manager" in text and "Mia Member" not in text


def test_hidden_organisation_is_neither_shown_nor_searchable(client, team):
    Profile.objects.filter(user=team.member).update(
        organisation="Geheime Dienst", audience={"organisation": "only_me"}
    )
    as_user(client, team.guest)
    assert "Geheime Dienst" not in page_text(client.get(url("members", team.space)))
    found = page_text(client.get(url("members", team.space), {"q": "geheime"}))
    assert "Mia Member" not in found
    # The person themself still finds it.
    as_user(client, team.member)
    assert "Mia Member" in page_text(client.get(url("members", team.space), {"q": "geheime"}))


def test_members_filter_by_role(client, team):
    text = page_text(as_user(client, team.member).get(url("members", team.space), {"role": Role.GUEST}))
    assert "Gus Guest" in text
    assert "Mia Member" not in text and "Olga Owner" not in text


def test_members_filter_with_unknown_role_is_400_with_the_error_linked_to_the_field(client, team):
    response = as_user(client, team.member).get(url("members", team.space), {"role": "99"})
    assert response.status_code == 400
    text = page_text(response)
    assert 'aria-describedby="id_role_error"' in text and 'id="id_role_error"' in text


def test_members_page_is_paginated_by_50(client, make_user, make_space):
    owner = make_user()
    space = make_space("members", members={owner: Role.OWNER})
    _bulk_members(space, 59)
    as_user(client, owner)
    first = client.get(url("members", space))
    assert first.context["page"].paginator.count == 60
    assert len(first.context["rows"]) == 50
    second = client.get(url("members", space), {"page": 2})
    assert len(second.context["rows"]) == 10
    assert "Page 2 of 2" in page_text(second)


def test_managers_see_member_controls_and_members_do_not(client, team):
    text = page_text(as_user(client, team.owner).get(url("members", team.space)))
    assert "Change role of Mia Member" in text
    assert "Remove Mia Member" in text
    assert url("members-csv", team.space) in text
    manager_text = page_text(as_user(client, team.manager).get(url("members", team.space)))
    assert "Remove Mia Member" in manager_text
    assert "Remove Olga Owner" not in manager_text  # community managers cannot remove owners
    assert "Change role of" not in manager_text  # only owners set roles
    member_text = page_text(as_user(client, team.member).get(url("members", team.space)))
    assert "Remove " not in member_text and "Change role of" not in member_text
    assert url("members-csv", team.space) not in member_text


# --- Who may see what -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "members"),
        ("get", "members-csv"),
        ("get", "requests"),
        ("get", "invitations"),
        ("post", "invitations"),
        ("post", "join"),
        ("post", "request"),
        ("post", "leave"),
        ("post", "archive"),
    ],
)
def test_secret_space_pages_are_404_for_outsiders(client, make_user, make_space, method, name):
    owner, outsider = make_user(), make_user()
    space = make_space("secret", members={owner: Role.OWNER})
    space.join_policy = JoinPolicy.OPEN
    space.save()
    response = getattr(as_user(client, outsider), method)(url(name, space), {"email": "x@example.org"})
    assert response.status_code == 404
    assert not Membership.objects.filter(space=space, user=outsider).exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "members-csv"),
        ("get", "requests"),
        ("get", "invitations"),
        ("post", "invitations"),
        ("post", "archive"),
    ],
)
def test_management_pages_are_403_for_plain_members(client, team, method, name):
    response = getattr(as_user(client, team.member), method)(
        url(name, team.space), {"email": "x@example.org"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_member_actions_on_others_are_403_for_plain_members(client, team):
    as_user(client, team.member)
    assert (
        client.post(url("role", team.space, user_id=team.guest.pk), {"role": Role.OWNER}).status_code == 403
    )
    assert client.post(url("remove", team.space, user_id=team.guest.pk)).status_code == 403
    assert client.post(url("transfer", team.space, user_id=team.member.pk)).status_code == 403
    assert role_of(team.space, team.guest) == Role.GUEST
    assert role_of(team.space, team.member) == Role.MEMBER


def test_actions_only_accept_post(client, team):
    as_user(client, team.owner)
    for name in ("join", "leave", "request", "withdraw", "archive"):
        assert client.get(url(name, team.space)).status_code == 405
    assert client.get(url("remove", team.space, user_id=team.member.pk)).status_code == 405
    assert role_of(team.space, team.member) == Role.MEMBER


def test_actions_need_a_csrf_token(make_user, make_space):
    person = make_user()
    space = make_space("public")
    space.join_policy = JoinPolicy.OPEN
    space.save()
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(person)
    assert strict.post(url("join", space)).status_code == 403
    assert not Membership.objects.filter(space=space, user=person).exists()


def test_anonymous_join_is_sent_to_log_in(client, make_space):
    space = make_space("public")
    response = client.post(url("join", space))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


# --- Join, request, withdraw, leave ---------------------------------------------------------------------------------
def test_join_an_open_space(client, make_user, make_space):
    person = make_user()
    space = make_space("logged_in")
    space.join_policy = JoinPolicy.OPEN
    space.welcome_message = "Fijn dat je er bent."
    space.save()
    response = as_user(client, person).post(url("join", space), follow=True)
    assert response.status_code == 200
    assert role_of(space, person) == Role.MEMBER
    text = page_text(response)
    assert "you are now a member" in text and "Fijn dat je er bent." in text


def test_joining_an_on_request_space_directly_is_refused_with_a_message(client, make_user, make_space):
    person = make_user()
    space = make_space("logged_in")  # join policy: on request
    response = as_user(client, person).post(url("join", space))
    assert response.status_code == 403
    assert "ask to join" in page_text(response)
    assert role_of(space, person) is None


def test_joining_twice_is_409(client, team):
    team.space.join_policy = JoinPolicy.OPEN
    team.space.save()
    response = as_user(client, team.member).post(url("join", team.space))
    assert response.status_code == 409
    assert "already a member" in page_text(response)
    assert Membership.objects.filter(space=team.space, user=team.member).count() == 1


def test_request_to_join_then_manager_approves_with_a_message(client, make_user, make_space, team):
    person = make_user(first_name="Rik", last_name="Requester")
    team.space.visibility = "logged_in"
    team.space.save()
    response = as_user(client, person).post(url("request", team.space), {"message": "Ik werk aan dit thema."})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(space=team.space, user=person)
    assert join_request.status == "pending" and join_request.message == "Ik werk aan dit thema."

    as_user(client, team.manager)
    text = page_text(client.get(url("requests", team.space)))
    assert "Rik Requester" in text and "Ik werk aan dit thema." in text
    assert f'<label for="decision-message-{join_request.pk}">' in text
    response = client.post(
        url("decide", team.space, request_id=join_request.pk), {"decision": "approve", "message": "Welkom!"}
    )
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.decision_message == "Welkom!"
    assert role_of(team.space, person) == Role.MEMBER
    assert list(client.get(url("requests", team.space)).context["page"].object_list) == []


def test_manager_rejects_a_request(client, make_user, team):
    person = make_user()
    team.space.visibility = "logged_in"
    team.space.save()
    join_request = do_request_to_join(user=person, space=team.space)
    response = as_user(client, team.owner).post(
        url("decide", team.space, request_id=join_request.pk), {"decision": "reject"}
    )
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "rejected"
    assert role_of(team.space, person) is None


def test_deciding_a_request_twice_is_409_with_a_clear_message(client, make_user, team):
    person = make_user()
    team.space.visibility = "logged_in"
    team.space.save()
    join_request = do_request_to_join(user=person, space=team.space)
    as_user(client, team.manager)
    decide_url = url("decide", team.space, request_id=join_request.pk)
    assert client.post(decide_url, {"decision": "approve"}).status_code == 302
    response = client.post(decide_url, {"decision": "reject"})
    assert response.status_code == 409
    assert "already been decided" in page_text(response)
    join_request.refresh_from_db()
    assert join_request.status == "approved"
    assert Membership.objects.filter(space=team.space, user=person).count() == 1


def test_decision_must_be_approve_or_reject(client, make_user, team):
    person = make_user()
    team.space.visibility = "logged_in"
    team.space.save()
    join_request = do_request_to_join(user=person, space=team.space)
    response = as_user(client, team.manager).post(
        url("decide", team.space, request_id=join_request.pk), {"decision": "maybe"}
    )
    assert response.status_code == 400
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_deciding_a_request_of_another_space_is_404(client, make_user, make_space, team):
    person, other_owner = make_user(), make_user()
    other = make_space("logged_in", members={other_owner: Role.OWNER})
    join_request = do_request_to_join(user=person, space=other)
    response = as_user(client, team.owner).post(
        url("decide", team.space, request_id=join_request.pk), {"decision": "approve"}
    )
    assert response.status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_withdraw_a_pending_request(client, make_user, make_space):
    person = make_user()
    space = make_space("logged_in")
    do_request_to_join(user=person, space=space)
    as_user(client, person)
    assert client.post(url("withdraw", space)).status_code == 302
    assert JoinRequest.objects.get(space=space, user=person).status == "withdrawn"
    response = client.post(url("withdraw", space))
    assert response.status_code == 409
    assert "no pending request" in page_text(response)


def test_request_with_an_over_long_message_is_400(client, make_user, make_space):
    person = make_user()
    space = make_space("logged_in")
    response = as_user(client, person).post(url("request", space), {"message": "x" * 1001})
    assert response.status_code == 400
    assert not JoinRequest.objects.exists()


def test_leave_a_space(client, team):
    response = as_user(client, team.member).post(url("leave", team.space))
    assert response.status_code == 302
    assert response["Location"] == "/"  # a members-only space is closed to someone who left
    assert role_of(team.space, team.member) is None


def test_leaving_is_refused_when_the_space_forbids_it(client, team):
    team.space.allow_leaving = False
    team.space.save()
    as_user(client, team.member)
    box = page_text(client.get(url("members", team.space)))
    assert "Members cannot leave this space" in box and url("leave", team.space) not in box
    response = client.post(url("leave", team.space))
    assert response.status_code == 403
    assert "cannot leave" in page_text(response)
    assert role_of(team.space, team.member) == Role.MEMBER


def test_the_last_owner_cannot_leave(client, team):
    response = as_user(client, team.owner).post(url("leave", team.space))
    assert response.status_code == 409
    assert "last owner" in page_text(response)
    assert role_of(team.space, team.owner) == Role.OWNER


# --- Roles, removal, ownership, archive ---------------------------------------------------------------------------
def test_owner_changes_a_role(client, team):
    response = as_user(client, team.owner).post(
        url("role", team.space, user_id=team.member.pk), {"role": Role.COMMUNITY_MANAGER}
    )
    assert response.status_code == 302
    assert role_of(team.space, team.member) == Role.COMMUNITY_MANAGER


def test_community_manager_cannot_change_roles(client, team):
    response = as_user(client, team.manager).post(
        url("role", team.space, user_id=team.member.pk), {"role": Role.OWNER}
    )
    assert response.status_code == 403
    assert role_of(team.space, team.member) == Role.MEMBER


def test_demoting_the_last_owner_is_409_with_a_message(client, team):
    response = as_user(client, team.owner).post(
        url("role", team.space, user_id=team.owner.pk), {"role": Role.MEMBER}
    )
    assert response.status_code == 409
    assert "last owner cannot be demoted" in page_text(response)
    assert role_of(team.space, team.owner) == Role.OWNER


def test_unknown_role_is_400(client, team):
    response = as_user(client, team.owner).post(
        url("role", team.space, user_id=team.member.pk), {"role": "99"}
    )
    assert response.status_code == 400
    assert role_of(team.space, team.member) == Role.MEMBER


def test_manager_removes_a_member(client, team):
    response = as_user(client, team.manager).post(url("remove", team.space, user_id=team.member.pk))
    assert response.status_code == 302
    assert role_of(team.space, team.member) is None


def test_community_manager_cannot_remove_an_owner(client, team):
    response = as_user(client, team.manager).post(url("remove", team.space, user_id=team.owner.pk))
    assert response.status_code == 403
    assert role_of(team.space, team.owner) == Role.OWNER


def test_removing_the_last_owner_is_409_with_a_message(client, team):
    response = as_user(client, team.owner).post(url("remove", team.space, user_id=team.owner.pk))
    assert response.status_code == 409
    assert "last owner cannot be removed" in page_text(response)
    assert role_of(team.space, team.owner) == Role.OWNER


def test_removing_someone_who_is_not_a_member_is_404(client, make_user, team):
    stranger = make_user()
    response = as_user(client, team.owner).post(url("remove", team.space, user_id=stranger.pk))
    assert response.status_code == 404
    assert "not a member" in page_text(response)


def test_owner_hands_over_ownership(client, team):
    response = as_user(client, team.owner).post(url("transfer", team.space, user_id=team.member.pk))
    assert response.status_code == 302
    assert role_of(team.space, team.member) == Role.OWNER
    assert role_of(team.space, team.owner) == Role.COMMUNITY_MANAGER


def test_owner_archives_and_restores_a_space(client, team):
    as_user(client, team.owner)
    assert client.post(url("archive", team.space), {"archived": "1"}).status_code == 302
    team.space.refresh_from_db()
    assert team.space.is_archived
    text = page_text(client.get(url("members", team.space)))
    assert "Restore " in text and "Change role of" not in text
    assert client.post(url("archive", team.space), {"archived": "0"}).status_code == 302
    team.space.refresh_from_db()
    assert not team.space.is_archived


def test_community_manager_cannot_archive(client, team):
    assert (
        as_user(client, team.manager).post(url("archive", team.space), {"archived": "1"}).status_code == 403
    )
    team.space.refresh_from_db()
    assert not team.space.is_archived


# --- Invitations -------------------------------------------------------------------------------------------------------
def _token_from_mail(message):
    return re.search(r"/invitations/([^/\s]+)/", message.body).group(1)


def test_manager_invites_an_address_and_it_is_listed(client, team):
    as_user(client, team.manager)
    form_page = page_text(client.get(url("invitations", team.space)))
    assert 'for="id_email">' in form_page and 'for="id_role">' in form_page  # labelled fields
    response = client.post(
        url("invitations", team.space), {"email": "New.Person@Example.org", "role": Role.GUEST}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(space=team.space)
    assert invitation.email == "new.person@example.org" and invitation.role == Role.GUEST
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    text = page_text(client.get(url("invitations", team.space)))
    assert "new.person@example.org" in text and "Withdraw invitation to new.person@example.org" in text


def test_inviting_an_invalid_address_is_400_with_the_error_linked_to_the_field(client, team):
    response = as_user(client, team.manager).post(
        url("invitations", team.space), {"email": "not-an-address", "role": Role.MEMBER}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert 'aria-invalid="true"' in text and 'aria-describedby="id_email_error"' in text
    assert 'id="id_email_error"' in text
    assert not Invitation.objects.exists() and not mail.outbox


def test_inviting_an_existing_member_is_409_with_a_message(client, team):
    response = as_user(client, team.manager).post(
        url("invitations", team.space), {"email": team.member.email, "role": Role.MEMBER}
    )
    assert response.status_code == 409
    assert f"{team.member.email} is already a member" in page_text(response)
    assert not Invitation.objects.exists()


def test_inviting_the_same_address_twice_is_409(client, team):
    as_user(client, team.manager)
    client.post(url("invitations", team.space), {"email": "twice@example.org", "role": Role.MEMBER})
    response = client.post(
        url("invitations", team.space), {"email": "twice@example.org", "role": Role.MEMBER}
    )
    assert response.status_code == 409
    assert "resend it instead" in page_text(response)
    assert Invitation.objects.filter(email="twice@example.org").count() == 1


def test_inviting_as_owner_is_not_offered(client, team):
    response = as_user(client, team.owner).post(
        url("invitations", team.space), {"email": "boss@example.org", "role": Role.OWNER}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_resend_gives_a_new_link_and_the_old_one_stops_working(client, team):
    invitation, old_token = do_invite(actor=team.manager, space=team.space, email="again@example.org")
    mail.outbox.clear()
    response = as_user(client, team.manager).post(url("resend", team.space, invitation_id=invitation.pk))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    new_token = _token_from_mail(mail.outbox[0])
    assert new_token != old_token
    assert client.get(reverse("invitation", args=[old_token])).status_code == 404
    assert client.get(reverse("invitation", args=[new_token])).status_code == 200


def test_revoke_an_invitation(client, team):
    invitation, token = do_invite(actor=team.manager, space=team.space, email="gone@example.org")
    response = as_user(client, team.manager).post(url("revoke", team.space, invitation_id=invitation.pk))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(url("invitations", team.space)).context["rows"] == []
    response = client.get(reverse("invitation", args=[token]))
    assert response.status_code == 410 and "withdrawn" in page_text(response)


def test_resending_a_revoked_invitation_is_409(client, team):
    invitation, _token = do_invite(actor=team.manager, space=team.space, email="closed@example.org")
    as_user(client, team.manager)
    client.post(url("revoke", team.space, invitation_id=invitation.pk))
    response = client.post(url("resend", team.space, invitation_id=invitation.pk))
    assert response.status_code == 409
    assert "already used or revoked" in page_text(response)


def test_invitation_of_another_space_is_404(client, make_user, make_space, team):
    other_owner = make_user()
    other = make_space("members", members={other_owner: Role.OWNER})
    invitation, _token = do_invite(actor=other_owner, space=other, email="elsewhere@example.org")
    response = as_user(client, team.owner).post(url("revoke", team.space, invitation_id=invitation.pk))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- The invitation link -----------------------------------------------------------------------------------------------
def test_anonymous_visitor_of_an_invitation_is_asked_to_log_in_or_register(client, team):
    _invitation, token = do_invite(actor=team.manager, space=team.space, email="newcomer@example.org")
    link = reverse("invitation", args=[token])
    response = client.get(link)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    text = page_text(response)
    assert team.space.name in text
    assert f"{reverse('account_login')}?next={link}" in text.replace("%2F", "/")
    assert f"{reverse('account_signup')}?next={link}" in text.replace("%2F", "/")
    assert "Accept and join" not in text
    response = client.post(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.filter(space=team.space, user__email="newcomer@example.org").exists()


def test_accepting_an_invitation_makes_a_member_with_the_invited_role(client, make_user, team):
    invitee = make_user(email="invitee@example.org")
    _invitation, token = do_invite(
        actor=team.manager, space=team.space, email="invitee@example.org", role=Role.GUEST
    )
    link = reverse("invitation", args=[token])
    as_user(client, invitee)
    assert "Accept and join" in page_text(client.get(link))
    response = client.post(link)
    assert response.status_code == 302
    assert role_of(team.space, invitee) == Role.GUEST
    again = client.post(link)
    assert again.status_code == 410
    assert "already been used" in page_text(again)
    assert Membership.objects.filter(space=team.space, user=invitee).count() == 1


def test_invitation_for_another_account_is_refused(client, make_user, team):
    make_user(email="meant@example.org")
    intruder = make_user()
    _invitation, token = do_invite(actor=team.manager, space=team.space, email="meant@example.org")
    as_user(client, intruder)
    link = reverse("invitation", args=[token])
    assert "for another account" in page_text(client.get(link))
    response = client.post(link)
    assert response.status_code == 403
    assert role_of(team.space, intruder) is None


def test_invalid_and_expired_invitation_links_say_why(client, team):
    response = client.get(reverse("invitation", args=["no-such-token"]))
    assert response.status_code == 404 and "not valid" in page_text(response)
    invitation, token = do_invite(actor=team.manager, space=team.space, email="late@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("invitation", args=[token]))
    assert response.status_code == 410 and "expired" in page_text(response)


# --- CSV export ------------------------------------------------------------------------------------------------------------
def test_csv_export_has_one_row_per_member_and_neutralises_formulas(client, team):
    User.objects.filter(pk=team.guest.pk).update(first_name='=HYPERLINK("http://evil")', last_name="")
    Profile.objects.filter(user=team.member).update(organisation="@SUM(A1)")
    Profile.objects.filter(user=team.owner).update(
        organisation="Verborgen BV", audience={"organisation": "only_me"}
    )
    response = as_user(client, team.manager).get(url("members-csv", team.space))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "E-mail address", "Organisation", "Role", "Joined"]
    by_email = {row[1]: row for row in rows[1:]}
    assert len(by_email) == 4
    assert by_email[team.owner.email][:4] == ["Olga Owner", team.owner.email, "", "Owner"]
    assert by_email[team.member.email][2] == "'@SUM(A1)"
    assert by_email[team.guest.email][0] == '\'=HYPERLINK("http://evil")'
    assert "Verborgen BV" not in response.content.decode()  # a hidden organisation stays hidden
    assert by_email[team.member.email][4] == timezone.localdate().isoformat()


def test_csv_export_is_403_for_members_and_sends_anonymous_visitors_to_log_in(client, team):
    anonymous = client.get(url("members-csv", team.space))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert as_user(client, team.member).get(url("members-csv", team.space)).status_code == 403


# --- The membership box ---------------------------------------------------------------------------------------------------
def _box(user, space):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    with translation.override("en"):
        return Template("{% load doeplein_spaces %}{% membership_box space %}").render(
            Context({"request": request, "space": space})
        )


def test_membership_box_offers_the_right_button(make_user, make_space):
    person, owner = make_user(), make_user()
    open_space = make_space("logged_in")
    open_space.join_policy = JoinPolicy.OPEN
    open_space.save()
    assert "Join " in _box(person, open_space)

    on_request = make_space("logged_in", members={owner: Role.OWNER})
    html = _box(person, on_request)
    assert "Ask to join" in html and f'<label for="id_message_join_{on_request.pk}">' in html
    do_request_to_join(user=person, space=on_request)
    assert "Withdraw my request" in _box(person, on_request)
    owner_box = _box(owner, on_request)
    assert "1 request to join" in owner_box and "last owner" in owner_box

    by_invitation = make_space("logged_in")
    by_invitation.join_policy = JoinPolicy.INVITATION
    by_invitation.save()
    assert "by invitation only" in _box(person, by_invitation)

    member_space = make_space("logged_in", members={person: Role.MEMBER})
    assert "Leave " in _box(person, member_space)
    anonymous = _box(None, make_space("public"))
    assert "Log in" in anonymous and "register" in anonymous


# --- Query counts -------------------------------------------------------------------------------------------------------------
def _bulk_members(space, n):
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{space.pk}-{i}@example.org", first_name=f"Bulk{i:04d}", password="!")
            for i in range(n)
        ]
    )
    Profile.objects.bulk_create([Profile(user=user, organisation=f"Org {i}") for i, user in enumerate(users)])
    Membership.objects.bulk_create([Membership(space=space, user=user, role=Role.MEMBER) for user in users])


def test_members_page_query_count_does_not_grow_with_members(
    client, make_user, make_space, django_assert_max_num_queries
):
    owner = make_user()
    small = make_space("members", members={owner: Role.OWNER})
    large = make_space("members", members={owner: Role.OWNER})
    _bulk_members(small, 10)
    _bulk_members(large, 300)
    as_user(client, owner)
    client.get(url("members", small))  # the first request creates the site settings; count from the second
    counts = {}
    for space, size in ((small, 10), (large, 300)):
        # The same bound for both sizes: a per-member query would add at least 50 on the large one.
        # (The page layout costs 4: site, its settings, the unread count and the session's user; the
        # gate is asked about the space once per action offered, 2 queries each.)
        with django_assert_max_num_queries(34) as queries:
            response = client.get(url("members", space))
        assert response.status_code == 200
        assert len(response.context["rows"]) == min(size + 1, 50)
        assert "Change role of Bulk0001" in page_text(response)
        counts[size] = len(queries)
    assert counts[10] == counts[300]


def test_success_messages_are_shown_after_an_action(client, team):
    response = as_user(client, team.owner).post(url("remove", team.space, user_id=team.guest.pk), follow=True)
    assert "Gus Guest is no longer a member." in page_text(response)


# --- A space with its own page (a group): refusals go back there with a message ------------------------------------
@pytest.mark.needs_plugins("groups")
def test_refusal_on_a_space_with_a_page_redirects_back_with_the_message(client, make_user):
    from django.contrib.messages import get_messages

    from groups.models import Group

    owner, person = make_user(), make_user()
    group = Group.objects.create(
        name="Verplicht team", slug="verplicht", policy="request", visibility="logged_in"
    )
    Membership.objects.create(space=group, user=owner, role=Role.OWNER)
    response = as_user(client, person).post(url("join", group))
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This space is open on request: ask to join."
    ]
    assert role_of(group, person) is None

    Membership.objects.create(space=group, user=person, role=Role.MEMBER)
    Group.objects.filter(pk=group.pk).update(allow_leaving=False)
    response = client.post(url("leave", group))
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    # The first message was never shown (the redirect was not followed), so it is still queued.
    assert [str(m) for m in get_messages(response.wsgi_request)][
        -1
    ] == "Members cannot leave this space; ask its managers."
    assert role_of(group, person) == Role.MEMBER


@pytest.mark.needs_plugins("groups")
def test_group_invitations_offer_member_and_admin_only(client, make_user):
    from groups.models import Group

    owner = make_user()
    group = Group.objects.create(name="Leesclub", slug="leesclub", policy="invitation")
    Membership.objects.create(space=group, user=owner, role=Role.OWNER)
    form = as_user(client, owner).get(url("invitations", group)).context["form"]
    assert [label for _value, label in form.fields["role"].choices] == ["Member", "Admin"]
