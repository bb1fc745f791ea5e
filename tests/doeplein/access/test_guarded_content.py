"""Content guarded through its space: the test plugin's Note learns its rules from the content-types hook.

Expected answers are written from the rules in ``doeplein/access/gate.py``'s docstring.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm

from doeplein.access import ACTIONS, can, check, filter_for, get_object_or_404, guarded_models, visible
from doeplein.spaces.models import Membership, Role
from tests.plugin_example.models import Note

pytestmark = pytest.mark.django_db


def allowed_actions(user, note):
    return {action for action in ACTIONS if can(user, action, note)}


def listed_for(user, action, *notes):
    return set(filter_for(user, action, Note.objects.filter(pk__in=[n.pk for n in notes])))


def test_the_gate_guards_notes_as_the_plugin_declared(make_space):
    note = Note.objects.create(space=make_space("public"), text="hello")
    can(AnonymousUser(), "view", note)  # the gate learns plugin content types on first use
    rule = guarded_models()[Note]
    assert (rule.space, rule.owner) == ("space", "author")


@pytest.mark.parametrize(
    ("visibility", "anonymous_sees", "outsider_sees"),
    [("public", True, True), ("logged_in", False, True), ("members", False, False), ("secret", False, False)],
)
def test_notes_are_visible_exactly_where_their_space_is(
    visibility, anonymous_sees, outsider_sees, make_space, make_user
):
    guest = make_user()
    note = Note.objects.create(space=make_space(visibility, members={guest: Role.GUEST}), text="x")
    for user, sees in ((AnonymousUser(), anonymous_sees), (make_user(), outsider_sees), (guest, True)):
        assert can(user, "view", note) is sees
        assert (note in visible(user, Note.objects.all())) is sees


def test_author_changes_own_note_while_a_member_but_not_anothers(make_space, make_user):
    author, other = make_user(), make_user()
    space = make_space("members", members={author: Role.MEMBER, other: Role.MEMBER})
    mine = Note.objects.create(space=space, author=author, text="mine")
    theirs = Note.objects.create(space=space, author=other, text="theirs")

    assert allowed_actions(author, mine) == {"view", "contribute", "change"}
    assert allowed_actions(author, theirs) == {"view", "contribute"}
    assert listed_for(author, "change", mine, theirs) == {mine}


def test_author_who_left_or_became_a_guest_can_no_longer_change_the_note(make_space, make_user):
    author = make_user()
    space = make_space("public", members={author: Role.MEMBER})
    note = Note.objects.create(space=space, author=author, text="mine")
    Membership.objects.filter(space=space, user=author).update(role=Role.GUEST)
    assert not can(author, "change", note)
    Membership.objects.filter(space=space, user=author).delete()
    assert allowed_actions(author, note) == {"view"}


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.OWNER])
def test_moderators_change_any_note(role, make_space, make_user):
    moderator, author = make_user(), make_user()
    space = make_space("secret", members={moderator: role, author: Role.MEMBER})
    note = Note.objects.create(space=space, author=author, text="theirs")
    assert {"view", "contribute", "change", "moderate"} <= allowed_actions(moderator, note)
    assert listed_for(moderator, "change", note) == {note}


def test_manage_on_a_note_is_for_owners_of_its_space(make_space, make_user):
    owner, manager = make_user(), make_user()
    note = Note.objects.create(
        space=make_space("members", members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER}), text="x"
    )
    assert can(owner, "manage", note)
    assert not can(manager, "manage", note)


def test_parent_community_manager_moderates_notes_in_child_spaces(make_space, make_user):
    overseer, author = make_user(), make_user()
    parent = make_space("members", members={overseer: Role.COMMUNITY_MANAGER})
    note = Note.objects.create(
        space=make_space("secret", parent=parent, members={author: Role.MEMBER}), author=author
    )
    assert {"view", "change", "moderate"} <= allowed_actions(overseer, note)


def test_a_moderate_grant_on_the_space_lets_one_change_its_notes(make_space, make_user):
    moderator = make_user()
    space = make_space("secret")
    note = Note.objects.create(space=space, text="x")
    assert allowed_actions(moderator, note) == set()
    assign_perm("moderate_space", moderator, space)
    assert allowed_actions(moderator, note) == {"view", "contribute", "change", "moderate"}


def test_notes_in_an_archived_space_are_read_only_except_for_platform_admins(make_space, make_user):
    author, manager, owner = make_user(), make_user(), make_user()
    admin = make_user(is_superuser=True)
    space = make_space(
        "members",
        archived=True,
        members={author: Role.MEMBER, manager: Role.COMMUNITY_MANAGER, owner: Role.OWNER},
    )
    note = Note.objects.create(space=space, author=author, text="frozen")
    assert allowed_actions(author, note) == {"view"}
    assert allowed_actions(manager, note) == {"view"}
    assert allowed_actions(owner, note) == {"view", "manage"}
    assert allowed_actions(admin, note) == set(ACTIONS)


def test_deleted_author_is_anonymous_to_the_gate(make_space, make_user):
    author = make_user()
    note = Note.objects.create(
        space=make_space("members", members={author: Role.OWNER}), author=author, text="x"
    )
    author.is_deleted = True
    author.save()
    assert allowed_actions(author, note) == set()


def test_check_on_a_note_in_a_secret_space_is_404_and_in_a_members_space_403(make_space, make_user):
    outsider = make_user()
    secret_note = Note.objects.create(space=make_space("secret"), text="s")
    closed_note = Note.objects.create(space=make_space("members"), text="m")
    hidden_by_parent = Note.objects.create(space=make_space("public", parent=make_space("secret")), text="p")
    with pytest.raises(Http404):
        check(outsider, "view", secret_note)
    with pytest.raises(Http404):
        check(outsider, "view", hidden_by_parent)
    with pytest.raises(PermissionDenied):
        check(outsider, "view", closed_note)
    with pytest.raises(Http404):
        get_object_or_404(outsider, Note.objects.all(), pk=secret_note.pk)
    with pytest.raises(Http404):
        get_object_or_404(outsider, Note.objects.all(), pk=secret_note.pk + 1000)


def test_visible_notes_is_one_query(make_space, make_user, django_assert_num_queries):
    member = make_user()
    spaces = [
        make_space(v, members={member: Role.GUEST} if i % 2 else None)
        for i, v in enumerate(["public", "logged_in", "members", "secret"] * 3)
    ]
    Note.objects.bulk_create(Note(space=space, text=f"note {i}") for i, space in enumerate(spaces * 5))
    with django_assert_num_queries(1):
        notes = list(visible(member, Note.objects.select_related("space")))
        {note.space.name for note in notes}
    # public and logged_in spaces, plus the members and secret spaces where they are a guest
    assert len(notes) == 5 * (6 + 3)


def test_platform_admin_changes_any_note_in_any_space(make_space, make_user):
    admin, author = make_user(is_superuser=True), make_user()
    notes = [
        Note.objects.create(space=make_space(v, members={author: Role.MEMBER}), author=author, text=v)
        for v in ("public", "logged_in", "members", "secret")
    ]
    for note in notes:
        assert allowed_actions(admin, note) == set(ACTIONS)
    assert listed_for(admin, "change", *notes) == set(notes)
