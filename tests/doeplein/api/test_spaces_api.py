"""The core's membership API (/api/v1/spaces/…, /api/v1/invitations/…), through the gate and the actions."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from doeplein.core.exceptions import ActionError
from doeplein.notifications.models import Notification
from doeplein.spaces.models import Invitation, JoinRequest, Membership, Role, Space
from tests.support.api import bearer as auth


@pytest.fixture
def owner(make_user):
    return make_user(first_name="Olga")


@pytest.fixture
def space(make_space, owner):
    return make_space("public", members={owner: Role.OWNER})


def with_policy(space, policy):
    space.join_policy = policy
    space.save(update_fields=["join_policy"])
    return space


def token_from_last_mail():
    return re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)


# --- Reading --------------------------------------------------------------------------------------------
def test_member_list_shows_roles_filters_and_paginates(call, space, owner, make_user):
    for i in range(3):
        Membership.objects.create(space=space, user=make_user(first_name=f"Member{i}"), role=Role.MEMBER)
    body = call("get", f"/spaces/{space.pk}/members", per_page=2).json()
    assert (body["count"], body["pages"], len(body["results"])) == (4, 2, 2)
    assert body["results"][0] == {
        "user_id": owner.pk,
        "name": owner.display_name,
        "role": "owner",
        "role_label": "Owner",
        "since": body["results"][0]["since"],
    }
    owners = call("get", f"/spaces/{space.pk}/members", role="owner").json()
    assert [m["user_id"] for m in owners["results"]] == [owner.pk]
    found = call("get", f"/spaces/{space.pk}/members", q="member1").json()
    assert [m["name"] for m in found["results"]] == ["Member1"]


def test_unknown_role_filter_is_422(call, space):
    response = call("get", f"/spaces/{space.pk}/members", role="emperor")
    assert response.status_code == 422
    assert response.json()["detail"] == "The input is not valid."


def test_secret_space_is_404_to_outsiders_everywhere(call, make_space, make_user):
    member = make_user()
    secret = with_policy(make_space("secret", members={member: Role.OWNER}), "open")
    outsider = make_user()
    for user in (None, outsider):
        assert call("get", f"/spaces/{secret.pk}", user).status_code == 404
        assert call("get", f"/spaces/{secret.pk}/members", user).status_code == 404
    for path in ("join", "requests", "leave", "archive"):
        assert call("post", f"/spaces/{secret.pk}/{path}", outsider).status_code == 404
    assert not Membership.objects.filter(space=secret, user=outsider).exists()
    assert call("get", f"/spaces/{secret.pk}/members", member).json()["count"] == 1


def test_members_only_space_is_403_not_404_for_outsiders(call, make_space, make_user):
    closed = make_space("members", members={make_user(): Role.OWNER})
    response = call("get", f"/spaces/{closed.pk}/members", make_user())
    assert response.status_code == 403
    assert "detail" in response.json()


def test_space_detail_says_what_the_caller_may_do(call, space, owner, make_user):
    with_policy(space, "open")
    mine = call("get", f"/spaces/{space.pk}", owner).json()
    assert (mine["my_role"], mine["may_manage"], mine["may_join"]) == ("owner", True, False)
    theirs = call("get", f"/spaces/{space.pk}", make_user()).json()
    assert (theirs["my_role"], theirs["may_manage"], theirs["may_join"]) == (None, False, True)


def test_unknown_space_and_unknown_person_are_404(call, space, owner):
    assert call("get", "/spaces/999999/members").status_code == 404
    response = call("put", f"/spaces/{space.pk}/members/999999/role", owner, {"role": "member"})
    assert response.status_code == 404


# --- Joining and leaving ----------------------------------------------------------------------------------
def test_joining_an_open_space_makes_a_member_and_counts_them(call, space, make_user):
    with_policy(space, "open")
    space.welcome_message = "Welcome aboard"
    space.save(update_fields=["welcome_message"])
    person = make_user()
    response = call("post", f"/spaces/{space.pk}/join", person)
    assert response.status_code == 200
    assert response.json() == {
        "space_id": space.pk,
        "user_id": person.pk,
        "role": "member",
        "role_label": "Member",
        "welcome_message": "Welcome aboard",
    }
    assert Membership.objects.get(space=space, user=person).role == Role.MEMBER
    assert (
        Space.objects.get(pk=space.pk).member_count == 1
    )  # the fixture's owner was added without the counter
    assert Notification.objects.filter(recipient=person, verb="space.welcome").count() == 1


def test_joining_twice_is_409_and_keeps_one_membership(call, space, make_user):
    with_policy(space, "open")
    person = make_user()
    call("post", f"/spaces/{space.pk}/join", person)
    response = call("post", f"/spaces/{space.pk}/join", person)
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert Membership.objects.filter(space=space, user=person).count() == 1


@pytest.mark.parametrize(
    ("policy", "code"), [("request", "request_needed"), ("invitation", "invitation_needed")]
)
def test_joining_a_space_one_may_not_join_directly_is_403_with_a_reason(call, space, make_user, policy, code):
    with_policy(space, policy)
    person = make_user()
    response = call("post", f"/spaces/{space.pk}/join", person)
    assert response.status_code == 403
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Membership.objects.filter(space=space, user=person).exists()


def test_writes_need_a_login_or_a_token(call, space):
    with_policy(space, "open")
    response = call("post", f"/spaces/{space.pk}/join")
    assert (response.status_code, response.json()["detail"]) == (401, "Log in or send a valid bearer token.")
    forged = call("post", f"/spaces/{space.pk}/join", None)
    assert forged.status_code == 401
    assert Membership.objects.filter(space=space).count() == 1


def test_a_member_leaves_and_the_last_owner_cannot(call, space, owner, make_user):
    member = make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    assert call("post", f"/spaces/{space.pk}/leave", member).status_code == 204
    assert not Membership.objects.filter(space=space, user=member).exists()
    response = call("post", f"/spaces/{space.pk}/leave", owner)
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert Membership.objects.filter(space=space, user=owner, role=Role.OWNER).exists()


def test_leaving_a_space_that_forbids_it_is_403(call, space, make_user):
    space.allow_leaving = False
    space.save(update_fields=["allow_leaving"])
    member = make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    response = call("post", f"/spaces/{space.pk}/leave", member)
    assert (response.status_code, response.json()["code"]) == (403, "leaving_forbidden")
    assert Membership.objects.filter(space=space, user=member).exists()


# --- Requests -------------------------------------------------------------------------------------------
def test_request_is_listed_for_managers_and_approval_makes_a_member(call, space, owner, make_user):
    with_policy(space, "request")
    person = make_user()
    response = call("post", f"/spaces/{space.pk}/requests", person, {"message": "  I work on this  "})
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert response.json()["message"] == "I work on this"
    assert Notification.objects.filter(recipient=owner, verb="space.join_requested").count() == 1

    again = call("post", f"/spaces/{space.pk}/requests", person, {"message": ""})
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_request")
    assert call("get", f"/spaces/{space.pk}/requests", person).status_code == 403
    listed = call("get", f"/spaces/{space.pk}/requests", owner).json()
    assert [(r["id"], r["user_id"], r["status"]) for r in listed] == [(request_id, person.pk, "pending")]

    decided = call(
        "post",
        f"/spaces/{space.pk}/requests/{request_id}/decision",
        owner,
        {"approve": True, "message": "Hi"},
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decision_message"]) == ("approved", "Hi")
    assert Membership.objects.get(space=space, user=person).role == Role.MEMBER
    assert (
        Notification.objects.filter(recipient=person, verb__startswith="space.request_approved").count() == 1
    )

    twice = call("post", f"/spaces/{space.pk}/requests/{request_id}/decision", owner, {"approve": False})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_decided")
    assert Membership.objects.filter(space=space, user=person).count() == 1


def test_a_rejected_request_leaves_no_membership(call, space, owner, make_user):
    with_policy(space, "request")
    person = make_user()
    request_id = call("post", f"/spaces/{space.pk}/requests", person).json()["id"]
    decided = call("post", f"/spaces/{space.pk}/requests/{request_id}/decision", owner, {"approve": False})
    assert decided.json()["status"] == "rejected"
    assert not Membership.objects.filter(space=space, user=person).exists()
    assert (
        Notification.objects.filter(recipient=person, verb__startswith="space.request_rejected").count() == 1
    )


def test_only_managers_decide_and_a_request_of_another_space_is_404(
    call, space, owner, make_user, make_space
):
    with_policy(space, "request")
    person, member = make_user(), make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    request_id = call("post", f"/spaces/{space.pk}/requests", person).json()["id"]
    assert (
        call(
            "post", f"/spaces/{space.pk}/requests/{request_id}/decision", member, {"approve": True}
        ).status_code
        == 403
    )
    other = make_space("public", members={owner: Role.OWNER})
    assert (
        call(
            "post", f"/spaces/{other.pk}/requests/{request_id}/decision", owner, {"approve": True}
        ).status_code
        == 404
    )
    assert JoinRequest.objects.get(pk=request_id).status == "pending"


def test_decision_without_approve_is_422(call, space, owner, make_user):
    with_policy(space, "request")
    request_id = call("post", f"/spaces/{space.pk}/requests", make_user()).json()["id"]
    response = call("post", f"/spaces/{space.pk}/requests/{request_id}/decision", owner, {"message": "?"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "approve"


def test_an_over_long_request_message_is_422(call, space, make_user):
    with_policy(space, "request")
    response = call("post", f"/spaces/{space.pk}/requests", make_user(), {"message": "x" * 1001})
    assert response.status_code == 422
    assert not JoinRequest.objects.filter(space=space).exists()


def test_withdrawing_a_request(call, space, make_user):
    with_policy(space, "request")
    person = make_user()
    request_id = call("post", f"/spaces/{space.pk}/requests", person).json()["id"]
    assert call("delete", f"/spaces/{space.pk}/requests/mine", person).status_code == 204
    assert JoinRequest.objects.get(pk=request_id).status == "withdrawn"
    assert call("delete", f"/spaces/{space.pk}/requests/mine", person).status_code == 404


# --- Invitations ------------------------------------------------------------------------------------------
def test_invitation_by_e_mail_is_accepted_once(call, space, owner, make_user):
    with_policy(space, "invitation")
    response = call(
        "post", f"/spaces/{space.pk}/invitations", owner, {"email": "New.Person@Example.org", "role": "guest"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["is_open"]) == ("new.person@example.org", "guest", True)
    assert "token" not in str(body).lower()
    assert mail.outbox[-1].to == ["new.person@example.org"]
    token = token_from_last_mail()

    preview = call("get", f"/invitations/{token}").json()
    assert (preview["space_id"], preview["role"]) == (space.pk, "guest")
    listed = call("get", f"/spaces/{space.pk}/invitations", owner).json()
    assert [i["id"] for i in listed] == [body["id"]]

    newcomer = make_user(email="new.person@example.org")
    accepted = call("post", f"/invitations/{token}/accept", newcomer)
    assert accepted.status_code == 200
    assert accepted.json()["role"] == "guest"
    assert Membership.objects.get(space=space, user=newcomer).role == Role.GUEST

    used = call("post", f"/invitations/{token}/accept", make_user())
    assert (used.status_code, used.json()["code"]) == (410, "used")
    assert Membership.objects.filter(space=space).count() == 2


def test_invalid_expired_and_revoked_tokens_say_why(call, space, owner, make_user):
    person = make_user()
    invalid = call("post", "/invitations/not-a-real-token/accept", person)
    assert (invalid.status_code, invalid.json()["code"]) == (404, "invalid_token")

    call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "late@example.org"})
    late = token_from_last_mail()
    Invitation.objects.filter(email="late@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = call("post", f"/invitations/{late}/accept", person)
    assert (expired.status_code, expired.json()["code"]) == (410, "expired")
    assert call("get", f"/invitations/{late}").status_code == 410

    invitation_id = call(
        "post", f"/spaces/{space.pk}/invitations", owner, {"email": "gone@example.org"}
    ).json()["id"]
    gone = token_from_last_mail()
    assert call("delete", f"/spaces/{space.pk}/invitations/{invitation_id}", owner).status_code == 204
    revoked = call("post", f"/invitations/{gone}/accept", person)
    assert (revoked.status_code, revoked.json()["code"]) == (410, "revoked")
    assert not Membership.objects.filter(space=space, user=person).exists()


def test_resending_sends_a_new_link_and_the_old_one_stops_working(call, space, owner, make_user):
    invitation_id = call(
        "post", f"/spaces/{space.pk}/invitations", owner, {"email": "again@example.org"}
    ).json()["id"]
    old = token_from_last_mail()
    response = call("post", f"/spaces/{space.pk}/invitations/{invitation_id}/resend", owner)
    assert response.status_code == 200
    new = token_from_last_mail()
    assert new != old and len(mail.outbox) == 2
    person = make_user(email="again@example.org")
    assert call("post", f"/invitations/{old}/accept", person).status_code == 404
    assert call("post", f"/invitations/{new}/accept", person).status_code == 200


def test_an_invitation_for_another_account_is_403(call, space, owner, make_user):
    invited = make_user(email="invited@example.org")
    call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "invited@example.org"})
    token = token_from_last_mail()
    response = call("post", f"/invitations/{token}/accept", make_user())
    assert (response.status_code, response.json()["code"]) == (403, "other_account")
    assert call("post", f"/invitations/{token}/accept", invited).status_code == 200


def test_bad_invitations_are_refused(call, space, owner, make_user):
    member = make_user(email="member@example.org")
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    bad_email = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "not an address"})
    assert (bad_email.status_code, list(bad_email.json()["errors"])) == (422, ["email"])
    as_owner = call(
        "post", f"/spaces/{space.pk}/invitations", owner, {"email": "x@example.org", "role": "owner"}
    )
    assert as_owner.status_code == 422
    already = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "member@example.org"})
    assert (already.status_code, already.json()["code"]) == (409, "already_member")
    call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "twice@example.org"})
    twice = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "twice@example.org"})
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate_invitation")
    by_member = call("post", f"/spaces/{space.pk}/invitations", member, {"email": "y@example.org"})
    assert by_member.status_code == 403
    assert call("get", f"/spaces/{space.pk}/invitations", member).status_code == 403
    assert Invitation.objects.filter(space=space).count() == 1


# --- Roles and removal ------------------------------------------------------------------------------------
def test_owner_changes_roles_and_others_may_not(call, space, owner, make_user):
    member = make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    response = call(
        "put", f"/spaces/{space.pk}/members/{member.pk}/role", owner, {"role": "community_manager"}
    )
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["role_label"]) == (
        "community_manager",
        "Community manager",
    )
    assert Membership.objects.get(space=space, user=member).role == Role.COMMUNITY_MANAGER
    assert Notification.objects.filter(recipient=member, verb="space.role_changed").count() == 1
    # A community manager is not an owner: roles are the owners' to give.
    assert (
        call("put", f"/spaces/{space.pk}/members/{owner.pk}/role", member, {"role": "guest"}).status_code
        == 403
    )
    assert (
        call("put", f"/spaces/{space.pk}/members/{member.pk}/role", owner, {"role": "king"}).status_code
        == 422
    )


def test_the_last_owner_cannot_be_demoted_or_removed(call, space, owner):
    demote = call("put", f"/spaces/{space.pk}/members/{owner.pk}/role", owner, {"role": "member"})
    assert (demote.status_code, demote.json()["code"]) == (409, "last_owner")
    remove = call("delete", f"/spaces/{space.pk}/members/{owner.pk}", owner)
    assert (remove.status_code, remove.json()["code"]) == (409, "last_owner")
    assert Membership.objects.get(space=space, user=owner).role == Role.OWNER


def test_removing_members(call, space, owner, make_user):
    manager, member, other_manager = make_user(), make_user(), make_user()
    Membership.objects.create(space=space, user=manager, role=Role.COMMUNITY_MANAGER)
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    Membership.objects.create(space=space, user=other_manager, role=Role.COMMUNITY_MANAGER)
    assert call("delete", f"/spaces/{space.pk}/members/{member.pk}", manager).status_code == 204
    assert not Membership.objects.filter(space=space, user=member).exists()
    # Community managers remove members and guests; managers and owners are the owners' to remove.
    assert call("delete", f"/spaces/{space.pk}/members/{other_manager.pk}", manager).status_code == 403
    assert call("delete", f"/spaces/{space.pk}/members/{other_manager.pk}", owner).status_code == 204
    assert call("delete", f"/spaces/{space.pk}/members/{member.pk}", owner).status_code == 404
    assert set(Membership.objects.filter(space=space).values_list("user", flat=True)) == {
        owner.pk,
        manager.pk,
    }


def test_handing_over_ownership(call, space, owner, make_user):
    heir = make_user()
    Membership.objects.create(space=space, user=heir, role=Role.MEMBER)
    response = call("post", f"/spaces/{space.pk}/members/{heir.pk}/ownership", owner)
    assert response.status_code == 200
    assert response.json()["my_role"] == "community_manager"
    roles = dict(Membership.objects.filter(space=space).values_list("user", "role"))
    assert roles == {owner.pk: Role.COMMUNITY_MANAGER, heir.pk: Role.OWNER}


# --- Archive ----------------------------------------------------------------------------------------------
def test_an_archived_space_refuses_changes_with_409_until_restored(call, space, owner, make_user):
    with_policy(space, "open")
    member = make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    assert call("post", f"/spaces/{space.pk}/archive", member).status_code == 403
    archived = call("post", f"/spaces/{space.pk}/archive", owner)
    assert (archived.status_code, archived.json()["is_archived"]) == (200, True)

    person = make_user()
    refusals = [
        call("post", f"/spaces/{space.pk}/join", person),
        call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "a@example.org"}),
        call("put", f"/spaces/{space.pk}/members/{member.pk}/role", owner, {"role": "guest"}),
        call("delete", f"/spaces/{space.pk}/members/{member.pk}", owner),
    ]
    assert [(r.status_code, r.json()["code"]) for r in refusals] == [(409, "archived")] * 4
    assert call("get", f"/spaces/{space.pk}/members", member).json()["count"] == 2  # still readable
    assert Membership.objects.filter(space=space).count() == 2

    restored = call("post", f"/spaces/{space.pk}/restore", owner)
    assert restored.json()["is_archived"] is False
    assert call("post", f"/spaces/{space.pk}/join", person).status_code == 200


def test_resending_or_revoking_in_an_archived_space_is_409(call, space, owner):
    invitation_id = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "a@example.org"}).json()[
        "id"
    ]
    call("post", f"/spaces/{space.pk}/archive", owner)
    resend = call("post", f"/spaces/{space.pk}/invitations/{invitation_id}/resend", owner)
    revoke = call("delete", f"/spaces/{space.pk}/invitations/{invitation_id}", owner)
    assert [(r.status_code, r.json()["code"]) for r in (resend, revoke)] == [(409, "archived")] * 2
    assert Invitation.objects.get(pk=invitation_id).revoked_at is None


# --- OpenAPI ----------------------------------------------------------------------------------------------
def test_the_openapi_document_lists_the_membership_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/spaces/{space_id}/members",
        "/api/v1/spaces/{space_id}/join",
        "/api/v1/spaces/{space_id}/leave",
        "/api/v1/spaces/{space_id}/requests",
        "/api/v1/spaces/{space_id}/requests/{request_id}/decision",
        "/api/v1/spaces/{space_id}/invitations",
        "/api/v1/spaces/{space_id}/invitations/{invitation_id}/resend",
        "/api/v1/spaces/{space_id}/invitations/{invitation_id}",
        "/api/v1/invitations/{token}/accept",
        "/api/v1/spaces/{space_id}/members/{user_id}/role",
        "/api/v1/spaces/{space_id}/members/{user_id}",
        "/api/v1/spaces/{space_id}/archive",
        "/api/v1/spaces/{space_id}/restore",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/spaces/{space_id}/members/{user_id}"]) == {"delete"}


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_one_request_at_once_make_one_membership(
    needs_postgres, make_space, make_user
):
    from doeplein.spaces.actions import do_decide_request, do_request_to_join

    first, second, person = make_user(), make_user(), make_user()
    space = with_policy(
        make_space("public", members={first: Role.OWNER, second: Role.COMMUNITY_MANAGER}), "request"
    )
    join_request = do_request_to_join(user=person, space=space)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(manager):
        try:
            barrier.wait(timeout=10)
            do_decide_request(actor=manager, request_id=join_request.pk, approve=True)
            outcomes.append("approved")
        except ActionError as refusal:
            outcomes.append((refusal.status, refusal.code))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=decide, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == sorted(["approved", (409, "already_decided")], key=str)
    assert Membership.objects.filter(space=space, user=person).count() == 1
    assert Space.objects.get(pk=space.pk).member_count == 1
    assert JoinRequest.objects.get(pk=join_request.pk).status == "approved"


def test_malformed_requests_are_4xx_not_500(client, space, owner):
    headers = {"Accept-Language": "en", **auth(owner)}
    broken = client.post(
        f"/api/v1/spaces/{space.pk}/invitations",
        "{not json",
        content_type="application/json",
        headers=headers,
    )
    assert 400 <= broken.status_code < 500
    assert client.get("/api/v1/spaces/not-a-number/members", headers=headers).status_code in (404, 422)
    assert client.get(f"/api/v1/spaces/{space.pk}/members", {"page": "x"}, headers=headers).status_code == 422
    assert (
        client.get(f"/api/v1/spaces/{space.pk}/members", {"page": "9999"}, headers=headers).json()["page"]
        == 1
    )
