"""The membership actions as an access matrix, and their edge cases.

Every role × every action × every visibility × every join policy: the action either succeeds with its
effect (a membership, a join request, an invitation …) or raises the expected refusal — an
:class:`ActionError` with its code, :class:`PermissionDenied` or :class:`Http404` — and then no
membership is lost, added or changed.

The expected outcomes are written out below from the rules in ``doeplein/access/gate.py`` (who may
view, moderate, manage) and ``doeplein/access/actions.py`` (what each action asks on top of that).
``tests/groups/test_actions.py`` runs the same table over groups and their four policies.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from doeplein.activity.models import Activity
from doeplein.core.exceptions import ActionError
from doeplein.notifications.models import Notification
from doeplein.spaces.actions import (
    do_accept_invitation,
    do_change_role,
    do_decide_request,
    do_invite,
    do_join,
    do_leave,
    do_remove_member,
    do_request_to_join,
    do_resend_invitation,
    do_revoke_invitation,
    do_set_archived,
    do_transfer_ownership,
    do_withdraw_request,
    invitation_for_token,
)
from doeplein.spaces.models import Invitation, JoinRequest, Membership, Role, Space

ROLES = ("anonymous", "outsider", "guest", "member", "community_manager", "owner", "platform_admin")
ACTIONS = (
    "join",
    "request_to_join",
    "decide_request",
    "invite",
    "change_role",
    "remove_member",
    "leave",
    "archive",
)
VISIBILITIES = ("public", "logged_in", "members", "secret")
POLICIES = ("open", "request", "invitation")
MEMBER_ROLES = {"guest": Role.GUEST, "member": Role.MEMBER, "community_manager": Role.COMMUNITY_MANAGER}

# Outcomes: "ok", "403" (PermissionDenied), "404" (Http404), or an ActionError code.
OK, DENIED, NOT_FOUND = "ok", "403", "404"

# --- The table, from the rules -------------------------------------------------------------------------
# view: public → everyone; logged_in → logged-in users; members, secret → members of any role.
# Platform administrators see everything. A refused secret space answers 404 so it stays secret.
SEES = {
    "anonymous": {"public"},
    "outsider": {"public", "logged_in"},
    "workspace_manager": set(VISIBILITIES),  # community manager of the parent (groups only)
}


def sees(role, visibility):
    return visibility in SEES.get(role, set(VISIBILITIES))


# discover (joining and asking to join): what one may see, plus members-only spaces for logged-in
# users — they can find such a space and ask to join. Secret spaces stay hidden.
DISCOVERS = {
    "anonymous": {"public"},
    "outsider": {"public", "logged_in", "members"},
}


def discovers(role, visibility):
    return visibility in DISCOVERS.get(role, set(VISIBILITIES))


def gate_refusal(role, visibility):
    """What the gate answers to someone who may not: 404 if the space is secret to them, else 403."""
    return NOT_FOUND if visibility == "secret" and not sees(role, visibility) else DENIED


def by_policy(policy, visibility):
    """join for someone who may see the space and is not a member: only open, non-secret spaces."""
    # A secret space is joined by invitation only, whatever its policy (the rule that won, issue 7).
    if policy == "invitation" or visibility == "secret":
        return "invitation_needed"
    if policy == "request":
        return "request_needed"
    return OK


def outcome_join(role, visibility, policy):
    if not discovers(role, visibility):
        return gate_refusal(role, visibility)
    if role == "anonymous":
        return DENIED  # sees a public space, but must log in to join
    if role in ("outsider", "platform_admin", "workspace_manager"):
        return by_policy(policy, visibility)
    return "already_member"


def outcome_request(role, visibility, policy):
    if not discovers(role, visibility):
        return gate_refusal(role, visibility)
    if role == "anonymous":
        return DENIED
    if role in ("outsider", "platform_admin", "workspace_manager"):
        if policy != "request":
            return "no_requests"
        # A secret space takes no requests, even from those who may see it (issue 7: the safer rule won).
        return "invitation_needed" if visibility == "secret" else OK
    return "already_member"


def needs(min_role):
    """An action the gate allows from ``min_role`` up (moderate: community manager; manage: owner)."""
    order = ["guest", "member", "community_manager", "owner"]

    def outcome(role, visibility, policy):
        if role == "platform_admin":
            return OK
        if role == "workspace_manager":  # oversees the groups inside: moderates, does not manage
            return OK if min_role == "community_manager" else DENIED
        if role in order and order.index(role) >= order.index(min_role):
            return OK
        return gate_refusal(role, visibility)

    return outcome


def outcome_leave(role, visibility, policy):
    if role == "anonymous":
        return DENIED
    if role in ("outsider", "platform_admin", "workspace_manager"):
        return "not_member"
    if role == "owner":
        return "last_owner"  # the only owner must hand over first
    return OK


EXPECTED = {
    "join": outcome_join,
    "request_to_join": outcome_request,
    "decide_request": needs("community_manager"),
    "invite": needs("community_manager"),
    "change_role": needs("owner"),
    "remove_member": needs("community_manager"),  # a plain member: community managers may remove them
    "leave": outcome_leave,
    "archive": needs("owner"),
}


def expected(role, action, visibility, policy):
    return EXPECTED[action](role, visibility, policy)


# --- Running one cell ------------------------------------------------------------------------------------
class People:
    """The people of one test, reused by every cell: an owner, a plain member (the target), a requester
    and the actor. Each cell builds its space and memberships in a savepoint that is rolled back."""

    def __init__(self, role, make_user):
        self.role = role
        self.owner, self.target, self.requester = make_user(), make_user(), make_user()
        if role == "anonymous":
            self.actor = AnonymousUser()
        elif role == "owner":
            self.actor = self.owner
        elif role == "platform_admin":
            self.actor = make_user(role="platform_admin")
        else:
            self.actor = make_user()


class Cell:
    def __init__(self, space, people):
        self.space, self.people = space, people
        self.owner, self.target, self.requester, self.actor = (
            people.owner,
            people.target,
            people.requester,
            people.actor,
        )
        self.request = JoinRequest.objects.create(space=space, user=people.requester, message="Mag ik erbij?")


def build_cell(space, people):
    """Give ``space`` its people; ``member_count`` is kept true as the actions keep it."""
    Membership.objects.create(space=space, user=people.owner, role=Role.OWNER)
    Membership.objects.create(space=space, user=people.target, role=Role.MEMBER)
    if people.role in MEMBER_ROLES:
        Membership.objects.create(space=space, user=people.actor, role=MEMBER_ROLES[people.role])
    elif people.role == "workspace_manager":
        Membership.objects.create(space=space.parent, user=people.actor, role=Role.COMMUNITY_MANAGER)
    Space.objects.filter(pk=space.pk).update(member_count=Membership.objects.filter(space=space).count())
    space.refresh_from_db()
    return Cell(space, people)


def perform(action, cell):
    space, actor = cell.space, cell.actor
    if action == "join":
        return do_join(user=actor, space=space)
    if action == "request_to_join":
        return do_request_to_join(user=actor, space=space, message="Graag!")
    if action == "decide_request":
        return do_decide_request(actor=actor, request_id=cell.request.pk, approve=True, message="Welkom")
    if action == "invite":
        return do_invite(actor=actor, space=space, email="invitee@example.org")
    if action == "change_role":
        return do_change_role(actor=actor, space=space, user=cell.target, role=Role.GUEST)
    if action == "remove_member":
        return do_remove_member(actor=actor, space=space, user=cell.target)
    if action == "leave":
        return do_leave(user=actor, space=space)
    if action == "archive":
        return do_set_archived(actor=actor, space=space, archived=True)
    raise AssertionError(action)


def memberships(space):
    return set(Membership.objects.filter(space=space).values_list("user_id", "role"))


def role_of(user, space):
    return Membership.objects.filter(space=space, user=user).values_list("role", flat=True).first()


def assert_effect(action, cell, before):
    """The effect that proves the action happened, and nothing else changed in the member list."""
    space, actor = cell.space, cell.actor
    after = memberships(space)
    if action == "join":
        assert after == before | {(actor.pk, Role.MEMBER)}
        assert Activity.objects.filter(verb="space.joined", actor=actor, space=space).exists()
    elif action == "request_to_join":
        assert after == before
        assert JoinRequest.objects.filter(space=space, user=actor, status="pending").count() == 1
        assert Notification.objects.filter(recipient=cell.owner, verb="space.join_requested").exists()
    elif action == "decide_request":
        assert after == before | {(cell.requester.pk, Role.MEMBER)}
        cell.request.refresh_from_db()
        assert cell.request.status == "approved"
        assert cell.request.decided_by == actor
        assert Notification.objects.filter(
            recipient=cell.requester, verb__startswith="space.request_approved"
        ).exists()
    elif action == "invite":
        assert after == before
        invitation = Invitation.objects.get(space=space, email="invitee@example.org")
        assert invitation.is_open and invitation.role == Role.MEMBER and invitation.invited_by == actor
    elif action == "change_role":
        assert after == (before - {(cell.target.pk, Role.MEMBER)}) | {(cell.target.pk, Role.GUEST)}
        assert Notification.objects.filter(recipient=cell.target, verb="space.role_changed").exists()
        assert Activity.objects.filter(verb="space.role_changed", space=space).exists()
    elif action == "remove_member":
        assert after == before - {(cell.target.pk, Role.MEMBER)}
        assert Activity.objects.filter(verb="space.member_removed", space=space).exists()
    elif action == "leave":
        assert after == {m for m in before if m[0] != actor.pk}
        assert len(after) == len(before) - 1
        assert Activity.objects.filter(verb="space.left", actor=actor, space=space).exists()
    elif action == "archive":
        assert after == before
        assert Space.objects.get(pk=space.pk).is_archived
    assert Space.objects.get(pk=space.pk).member_count == len(after)


def run_cell(action, cell, outcome):
    before = memberships(cell.space)
    requests_before = set(JoinRequest.objects.filter(space=cell.space).values_list("pk", "user_id", "status"))
    if outcome == OK:
        perform(action, cell)
        assert_effect(action, cell, before)
        return
    error = {DENIED: PermissionDenied, NOT_FOUND: Http404}.get(outcome, ActionError)
    with pytest.raises(error) as raised:
        perform(action, cell)
    if error is ActionError:
        assert raised.value.code == outcome
        assert 400 <= raised.value.status < 500
    # Refused: nothing lost, nothing duplicated, nothing changed.
    assert memberships(cell.space) == before
    assert (
        set(JoinRequest.objects.filter(space=cell.space).values_list("pk", "user_id", "status"))
        == requests_before
    )
    assert not Invitation.objects.filter(space=cell.space).exists()
    space = Space.objects.get(pk=cell.space.pk)
    assert space.member_count == len(before)
    assert not space.is_archived


def run_cells(action, people, cells):
    """Run each ``(label, make_space_fn, outcome)`` in its own rolled-back savepoint; report every miss."""
    misses = []
    for label, make, outcome in cells:
        with transaction.atomic():
            try:
                run_cell(action, build_cell(make(), people), outcome)
            except AssertionError as error:
                misses.append(
                    f"{people.role} × {action} × {label}: expected {outcome}; {error}".splitlines()[0]
                )
            except Exception as error:  # noqa: BLE001 - an unexpected error is a miss of the table, reported with the others
                misses.append(f"{people.role} × {action} × {label}: expected {outcome}, got {error!r}")
            transaction.set_rollback(True)
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_membership_action_matrix(role, action, make_user, make_space):
    """One role × one action over every visibility × join policy (12 cells)."""
    people = People(role, make_user)

    def space_with(visibility, policy):
        def make():
            space = make_space(visibility)
            Space.objects.filter(pk=space.pk).update(join_policy=policy)
            return space

        return make

    run_cells(
        action,
        people,
        [
            (
                f"{visibility} × {policy}",
                space_with(visibility, policy),
                expected(role, action, visibility, policy),
            )
            for visibility in VISIBILITIES
            for policy in POLICIES
        ],
    )


def test_the_table_covers_every_cell():
    cells = [(r, a, v, p) for r in ROLES for a in ACTIONS for v in VISIBILITIES for p in POLICIES]
    assert len(cells) == 7 * 8 * 4 * 3
    outcomes = {expected(*cell) for cell in cells}
    # Every kind of answer occurs: the table is not "all ok" or "all denied".
    assert {
        OK,
        DENIED,
        NOT_FOUND,
        "already_member",
        "request_needed",
        "invitation_needed",
        "no_requests",
        "not_member",
        "last_owner",
    } <= outcomes


# --- Archived spaces: readable, not changeable -------------------------------------------------------------
@pytest.mark.parametrize(
    "action", ["join", "request_to_join", "decide_request", "invite", "change_role", "remove_member"]
)
def test_archived_space_refuses_changes_with_a_clear_code(action, make_user, make_space):
    space = make_space("public", archived=True)
    Space.objects.filter(pk=space.pk).update(join_policy="request" if action == "request_to_join" else "open")
    space.refresh_from_db()
    role = "outsider" if action in ("join", "request_to_join") else "owner"
    cell = build_cell(space, People(role, make_user))
    before = memberships(space)
    with pytest.raises(ActionError) as raised:
        perform(action, cell)
    assert raised.value.code == "archived" and raised.value.status == 409
    assert memberships(space) == before


def test_owner_restores_an_archived_space(make_user, make_space):
    owner = make_user()
    space = make_space("members", members={owner: Role.OWNER}, archived=True)
    do_set_archived(actor=owner, space=space, archived=False)
    assert not Space.objects.get(pk=space.pk).is_archived
    assert Activity.objects.filter(verb="space.restored", space=space).exists()


# --- Owners ----------------------------------------------------------------------------------------------
def test_last_owner_cannot_leave_be_removed_or_demoted(make_user, make_space):
    owner, admin = make_user(), make_user(role="platform_admin")
    space = make_space("public", members={owner: Role.OWNER})
    for attempt in (
        lambda: do_leave(user=owner, space=space),
        lambda: do_remove_member(actor=admin, space=space, user=owner),
        lambda: do_change_role(actor=owner, space=space, user=owner, role=Role.MEMBER),
        lambda: do_change_role(actor=admin, space=space, user=owner, role=Role.COMMUNITY_MANAGER),
    ):
        with pytest.raises(ActionError) as raised:
            attempt()
        assert raised.value.code == "last_owner"
    assert role_of(owner, space) == Role.OWNER


def test_one_of_two_owners_may_leave(make_user, make_space):
    first, second = make_user(), make_user()
    space = make_space("public", members={first: Role.OWNER, second: Role.OWNER})
    do_leave(user=first, space=space)
    assert memberships(space) == {(second.pk, Role.OWNER)}
    with pytest.raises(ActionError) as raised:
        do_leave(user=second, space=space)
    assert raised.value.code == "last_owner"


def test_transfer_ownership_makes_the_member_owner_and_the_actor_community_manager(make_user, make_space):
    owner, member = make_user(), make_user()
    space = make_space("members", members={owner: Role.OWNER, member: Role.MEMBER})
    do_transfer_ownership(actor=owner, space=space, user=member)
    assert role_of(member, space) == Role.OWNER
    assert role_of(owner, space) == Role.COMMUNITY_MANAGER
    assert Notification.objects.filter(recipient=member, verb="space.role_changed").exists()
    # The former owner no longer manages; the new one does, and may now leave it to nobody else.
    with pytest.raises(PermissionDenied):
        do_set_archived(actor=owner, space=space, archived=True)
    do_leave(user=owner, space=space)
    with pytest.raises(ActionError):
        do_leave(user=member, space=space)


def test_transfer_ownership_to_a_non_member_is_refused(make_user, make_space):
    owner, stranger = make_user(), make_user()
    space = make_space("public", members={owner: Role.OWNER})
    with pytest.raises(ActionError) as raised:
        do_transfer_ownership(actor=owner, space=space, user=stranger)
    assert raised.value.code == "not_member"
    assert memberships(space) == {(owner.pk, Role.OWNER)}


def test_community_manager_may_not_remove_another_manager_or_owner(make_user, make_space):
    owner, manager, other_manager = make_user(), make_user(), make_user()
    space = make_space(
        "public",
        members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER, other_manager: Role.COMMUNITY_MANAGER},
    )
    before = memberships(space)
    for target in (other_manager, owner):
        with pytest.raises(PermissionDenied):
            do_remove_member(actor=manager, space=space, user=target)
    assert memberships(space) == before
    do_remove_member(actor=owner, space=space, user=other_manager)
    assert role_of(other_manager, space) is None


def test_members_cannot_leave_when_leaving_is_switched_off(make_user, make_space):
    owner, member, manager = make_user(), make_user(), make_user()
    space = make_space(
        "public", members={owner: Role.OWNER, member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER}
    )
    Space.objects.filter(pk=space.pk).update(allow_leaving=False)
    space.refresh_from_db()
    for user in (member, manager):
        with pytest.raises(ActionError) as raised:
            do_leave(user=user, space=space)
        assert raised.value.code == "leaving_forbidden" and raised.value.status == 403
    assert role_of(member, space) == Role.MEMBER
    # Managers still take people out of a mandatory team.
    do_remove_member(actor=manager, space=space, user=member)
    assert role_of(member, space) is None


# --- Requests --------------------------------------------------------------------------------------------
def on_request_space(make_user, make_space, visibility="public"):
    owner, manager = make_user(), make_user()
    space = make_space(visibility, members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER})
    Space.objects.filter(pk=space.pk).update(join_policy="request", member_count=2)
    space.refresh_from_db()
    return space, owner, manager


def test_request_notifies_every_manager_and_rejection_notifies_the_requester(make_user, make_space):
    space, owner, manager = on_request_space(make_user, make_space)
    citizen = make_user()
    request = do_request_to_join(user=citizen, space=space, message="Ik werk in de wijk.")
    assert set(
        Notification.objects.filter(verb="space.join_requested").values_list("recipient", flat=True)
    ) == {owner.pk, manager.pk}
    do_decide_request(actor=manager, request_id=request.pk, approve=False, message="Alleen voor de gemeente.")
    request.refresh_from_db()
    assert request.status == "rejected"
    notification = Notification.objects.get(recipient=citizen, verb__startswith="space.request_rejected")
    assert "Alleen voor de gemeente." in notification.text
    assert role_of(citizen, space) is None
    assert Activity.objects.filter(verb="space.request_rejected", space=space).exists()
    # After a rejection one may ask again.
    do_request_to_join(user=citizen, space=space)
    assert JoinRequest.objects.filter(space=space, user=citizen, status="pending").count() == 1


def test_second_request_while_one_is_pending_is_refused(make_user, make_space):
    space, _owner, _manager = on_request_space(make_user, make_space)
    citizen = make_user()
    do_request_to_join(user=citizen, space=space)
    with pytest.raises(ActionError) as raised:
        do_request_to_join(user=citizen, space=space)
    assert raised.value.code == "duplicate_request"
    assert JoinRequest.objects.filter(space=space, user=citizen).count() == 1


def test_a_request_is_decided_once(make_user, make_space):
    space, owner, manager = on_request_space(make_user, make_space)
    citizen = make_user()
    request = do_request_to_join(user=citizen, space=space)
    do_decide_request(actor=manager, request_id=request.pk, approve=True)
    for approve in (True, False):
        with pytest.raises(ActionError) as raised:
            do_decide_request(actor=owner, request_id=request.pk, approve=approve)
        assert raised.value.code == "already_decided"
    assert Membership.objects.filter(space=space, user=citizen).count() == 1
    assert Space.objects.get(pk=space.pk).member_count == 3
    assert (
        Notification.objects.filter(recipient=citizen, verb__startswith="space.request_approved").count() == 1
    )


def test_deciding_a_missing_request_is_a_clear_404(make_user):
    with pytest.raises(ActionError) as raised:
        do_decide_request(actor=make_user(role="platform_admin"), request_id=987654, approve=True)
    assert raised.value.status == 404


def test_withdrawn_request_cannot_be_approved(make_user, make_space):
    space, owner, _manager = on_request_space(make_user, make_space)
    citizen = make_user()
    request = do_request_to_join(user=citizen, space=space)
    assert do_withdraw_request(user=citizen, space=space) == 1
    with pytest.raises(ActionError):
        do_decide_request(actor=owner, request_id=request.pk, approve=True)
    assert role_of(citizen, space) is None


def test_approval_sends_the_welcome_message(make_user, make_space):
    space, owner, _manager = on_request_space(make_user, make_space)
    Space.objects.filter(pk=space.pk).update(welcome_message="Welkom! Lees eerst de huisregels.")
    citizen = make_user()
    request = do_request_to_join(user=citizen, space=space)
    do_decide_request(actor=owner, request_id=request.pk, approve=True)
    assert Notification.objects.get(recipient=citizen, verb="space.welcome").text.endswith(
        "Welkom! Lees eerst de huisregels."
    )


# --- Invitations -----------------------------------------------------------------------------------------
def invitation_space(make_user, make_space):
    owner = make_user()
    space = make_space("secret", members={owner: Role.OWNER})
    Space.objects.filter(pk=space.pk).update(join_policy="invitation", member_count=1)
    space.refresh_from_db()
    return space, owner


def test_invitation_to_an_existing_user_notifies_and_is_single_use(make_user, make_space, mailoutbox):
    space, owner = invitation_space(make_user, make_space)
    invitee = make_user()
    invitation, token = do_invite(
        actor=owner, space=space, email=invitee.email.upper(), role=Role.COMMUNITY_MANAGER
    )
    assert invitation.user == invitee and invitation.email == invitee.email
    assert Notification.objects.filter(recipient=invitee, verb="space.invited").exists()
    assert len(mailoutbox) == 1 and token in mailoutbox[0].body and mailoutbox[0].to == [invitee.email]
    do_accept_invitation(user=invitee, token=token)
    assert role_of(invitee, space) == Role.COMMUNITY_MANAGER
    assert Space.objects.get(pk=space.pk).member_count == 2
    with pytest.raises(ActionError) as raised:
        do_accept_invitation(user=invitee, token=token)
    assert raised.value.code == "used"
    assert Membership.objects.filter(space=space, user=invitee).count() == 1


def test_invitation_for_another_account_is_refused(make_user, make_space):
    space, owner = invitation_space(make_user, make_space)
    invitee, other = make_user(), make_user()
    _invitation, token = do_invite(actor=owner, space=space, email=invitee.email)
    with pytest.raises(ActionError) as raised:
        do_accept_invitation(user=other, token=token)
    assert raised.value.code == "other_account"
    assert role_of(other, space) is None


def test_expired_invitation_does_not_work(make_user, make_space):
    space, owner = invitation_space(make_user, make_space)
    invitee = make_user()
    invitation, token = do_invite(actor=owner, space=space, email=invitee.email)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError) as raised:
        do_accept_invitation(user=invitee, token=token)
    assert raised.value.code == "expired" and raised.value.status == 410
    assert role_of(invitee, space) is None
    # An expired invitation no longer blocks a new one.
    do_invite(actor=owner, space=space, email=invitee.email)


def test_revoked_invitation_does_not_work(make_user, make_space):
    space, owner = invitation_space(make_user, make_space)
    invitee = make_user()
    invitation, token = do_invite(actor=owner, space=space, email=invitee.email)
    do_revoke_invitation(actor=owner, invitation_id=invitation.pk)
    with pytest.raises(ActionError) as raised:
        do_accept_invitation(user=invitee, token=token)
    assert raised.value.code == "revoked"
    with pytest.raises(ActionError) as raised:
        do_resend_invitation(actor=owner, invitation_id=invitation.pk)
    assert raised.value.code == "closed"
    assert role_of(invitee, space) is None


def test_resend_makes_the_old_link_invalid(make_user, make_space, mailoutbox):
    space, owner = invitation_space(make_user, make_space)
    invitee = make_user()
    invitation, old_token = do_invite(actor=owner, space=space, email=invitee.email)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    _invitation, new_token = do_resend_invitation(actor=owner, invitation_id=invitation.pk)
    assert new_token != old_token and len(mailoutbox) == 2 and new_token in mailoutbox[1].body
    with pytest.raises(ActionError) as raised:
        invitation_for_token(old_token)
    assert raised.value.code == "invalid_token"
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=1)  # a fresh expiry date
    do_accept_invitation(user=invitee, token=new_token)
    assert role_of(invitee, space) == Role.MEMBER


def test_garbage_token_is_invalid(db):
    for token in ("", "not-a-token", "x" * 500):
        with pytest.raises(ActionError) as raised:
            invitation_for_token(token)
        assert raised.value.code == "invalid_token" and raised.value.status == 404


def test_duplicate_invitation_and_inviting_a_member_are_refused(make_user, make_space):
    space, owner = invitation_space(make_user, make_space)
    do_invite(actor=owner, space=space, email="new@example.org")
    with pytest.raises(ActionError) as raised:
        do_invite(actor=owner, space=space, email="NEW@example.org ")
    assert raised.value.code == "duplicate_invitation"
    with pytest.raises(ActionError) as raised:
        do_invite(actor=owner, space=space, email=owner.email)
    assert raised.value.code == "already_member"
    with pytest.raises(ActionError) as raised:
        do_invite(actor=owner, space=space, email="boss@example.org", role=Role.OWNER)
    assert raised.value.code == "bad_role"
    assert Invitation.objects.filter(space=space).count() == 1


def test_invitation_by_email_is_accepted_when_the_address_is_confirmed(make_user, make_space):
    from doeplein.accounts.actions import do_confirm_email
    from doeplein.accounts.models import User

    space, owner = invitation_space(make_user, make_space)
    invitation, _token = do_invite(actor=owner, space=space, email="newcomer@example.org", role=Role.GUEST)
    assert invitation.user is None
    # The newcomer registers with that address (allauth creates the user) and confirms it.
    newcomer = User.objects.create_user(email="newcomer@example.org", password="correct-horse-battery")
    do_confirm_email(user=newcomer, email="newcomer@example.org")
    assert role_of(newcomer, space) == Role.GUEST
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.user == newcomer
    assert Space.objects.get(pk=space.pk).member_count == 2
    assert Activity.objects.filter(verb="space.joined", actor=newcomer, space=space).exists()
    # Confirming again changes nothing.
    do_confirm_email(user=newcomer, email="newcomer@example.org")
    assert Membership.objects.filter(space=space, user=newcomer).count() == 1


def test_confirming_an_address_skips_expired_and_revoked_invitations(make_user, make_space):
    from doeplein.accounts.actions import do_confirm_email
    from doeplein.accounts.models import User

    space, owner = invitation_space(make_user, make_space)
    other_space, other_owner = invitation_space(make_user, make_space)
    expired, _t = do_invite(actor=owner, space=space, email="late@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _t = do_invite(actor=other_owner, space=other_space, email="late@example.org")
    do_revoke_invitation(actor=other_owner, invitation_id=revoked.pk)
    late = User.objects.create_user(email="late@example.org", password="correct-horse-battery")
    do_confirm_email(user=late, email="late@example.org")
    assert not Membership.objects.filter(user=late).exists()


# --- Counts ----------------------------------------------------------------------------------------------
def test_member_count_follows_joins_and_leaves(make_user, make_space):
    owner = make_user()
    space = make_space("public", members={owner: Role.OWNER})
    Space.objects.filter(pk=space.pk).update(join_policy="open", member_count=1)
    space.refresh_from_db()
    people = [make_user() for _ in range(3)]
    for person in people:
        do_join(user=person, space=space)
    with pytest.raises(ActionError):
        do_join(user=people[0], space=space)
    assert Space.objects.get(pk=space.pk).member_count == 4
    do_leave(user=people[0], space=space)
    do_remove_member(actor=owner, space=space, user=people[1])
    assert Space.objects.get(pk=space.pk).member_count == 2 == Membership.objects.filter(space=space).count()
