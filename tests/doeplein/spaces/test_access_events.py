"""Issue 8: every action that can narrow access publishes ``access_changed`` after commit.

Two halves that must agree:

* a scan of the ``actions`` module of every installed app (core and plugins) finds each public action
  that writes an access field: the models' ``ACCESS_FIELDS`` (``Space``: visibility, join policy,
  parent, archive; ``Membership``: role, and ending one; ``Sanction``: given, lifted, its term), and
  django-guardian grants; through the module's own helpers and the actions it calls;
* each such action is either run below (``CASES``) with the exact events it must publish, or listed in
  ``WIDENING`` with the reason it cannot narrow anyone's access.

A new action that writes one of these fields makes ``test_the_scan_finds_exactly_the_actions_listed``
fail until it is added to one of the two, and a case fails unless the action publishes the event.
"""

import ast
import importlib
import inspect
import textwrap

import pytest
from django.apps import apps

from doeplein.live import access_group, access_space_group
from doeplein.moderation.models import Sanction
from doeplein.spaces.models import Membership, Role, Space

pytestmark = pytest.mark.django_db

FIELDS = {*Space.ACCESS_FIELDS, "parent_id", *Membership.ACCESS_FIELDS, *Sanction.ACCESS_FIELDS}
GRANT_CALLS = {"assign_perm", "remove_perm"}

# Actions that write an access field but only ever widen access (nobody can be connected to see less).
WIDENING = {
    "doeplein.spaces.actions.do_create_space_membership": "the first owner of a new space",
    "doeplein.spaces.actions.do_join": "adds a membership",
    "doeplein.spaces.actions.do_decide_request": "an approval adds a membership; a rejection changes none",
    "doeplein.spaces.actions.do_accept_invitation": "adds a membership (or raises its role)",
    "doeplein.spaces.actions.do_accept_invitations_for_email": "adds memberships (or raises their roles)",
    "workspaces.actions.do_open_workspace": "a new space: no one is connected to it yet",
    "groups.actions.do_create_group": "a new space: no one is connected to it yet",
    "groups.actions.do_create_group_for_team": "a new group for a suggested team (do_create_group)",
    "files.actions.do_move": "writes a folder's parent, not a space's",
    "blogs.actions.do_create_post": "a new post, a draft: no one is connected to it yet",
    "blogs.actions.do_update_post": (
        "writes a draft, or a new revision of a live post: its visibility changes when that revision is "
        "published (do_publish_post, a case below)"
    ),
}


# --- the scan ----------------------------------------------------------------------------------------
def _actions_modules():
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(importlib.import_module(f"{config.name}.actions"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.actions":
                raise
    return modules


def _string_tuples(tree):
    """Module-level tuples of strings (``EDITABLE = ("name", "visibility", …)``)."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List)):
            found |= {
                e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return found


def _direct(function, module_fields):
    """(writes an access field, calls access_changed_on_commit, names it calls) of one function."""
    writes, emits, calls = False, False, set()
    for node in ast.walk(function):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr in FIELDS:
                    writes = True
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        )
        receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name == "access_changed_on_commit":
            emits = True
        elif name in GRANT_CALLS:
            writes = True
        elif name == "update" and any(k.arg in FIELDS for k in node.keywords):
            writes = True
        elif name == "delete" and "membership" in receiver.lower():
            writes = True  # a membership ends
        elif name in ("create", "get_or_create", "bulk_create") and "Sanction" in receiver:
            writes = True
        elif name == "setattr" and module_fields & FIELDS:
            writes = True  # setattr over a tuple of field names that holds an access field
        if isinstance(func, ast.Name):
            calls.add(func.id)
    return writes, emits, calls


def scan():
    """{"module.action": (writes an access field, reaches access_changed_on_commit)} for every public
    function of every actions module; helpers and the actions called count for their callers."""
    facts = {}  # function object -> (writes, emits, called function objects)
    public = {}
    for module in _actions_modules():
        tree = ast.parse(textwrap.dedent(inspect.getsource(module)))
        module_fields = _string_tuples(tree)
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            function = inspect.unwrap(getattr(module, node.name))
            writes, emits, names = _direct(node, module_fields)
            called = {inspect.unwrap(module.__dict__[n]) for n in names if callable(module.__dict__.get(n))}
            facts[function] = (writes, emits, called)
            if not node.name.startswith("_"):
                public[f"{module.__name__}.{node.name}"] = function

    def reach(function, index, seen):
        if function in seen or function not in facts:
            return False
        seen.add(function)
        if facts[function][index]:
            return True
        return any(reach(f, index, seen) for f in facts[function][2])

    return {name: (reach(f, 0, set()), reach(f, 1, set())) for name, f in public.items()}


# --- the cases ---------------------------------------------------------------------------------------
def _event(group, reason, **ids):
    return (group, {"kind": "access_changed", "reason": reason, **ids})


@pytest.fixture
def house(make_user, make_space):
    from django.contrib.auth.models import Group as AuthGroup

    from doeplein.discussion.actions import get_or_create_room

    owner, manager, member = make_user(role="civil_servant"), make_user(), make_user()
    space = make_space(
        "public", members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER, member: Role.MEMBER}
    )
    team = AuthGroup.objects.create(name="team-access")
    member.groups.add(team)
    return {
        "owner": owner,
        "manager": manager,
        "member": member,
        "space": space,
        "team": team,
        "room": get_or_create_room(space=space, title="Kamer"),
    }


def _spaces_cases(h):
    from doeplein.spaces import actions

    owner, manager, member, space = h["owner"], h["manager"], h["member"], h["space"]

    def grant_and_remove():
        actions.do_set_grant(actor=owner, space=space, codename="moderate_space", granted=True, user=member)
        actions.do_set_grant(actor=owner, space=space, codename="moderate_space", granted=False, user=member)

    def left():
        actions.do_leave(user=member, space=space)

    return {
        ("doeplein.spaces.actions.do_leave", "member leaves"): (
            left,
            [_event(access_group(member.pk), "membership_ended", user=member.pk)],
        ),
        ("doeplein.spaces.actions.do_remove_member", "member removed"): (
            lambda: actions.do_remove_member(actor=owner, space=space, user=member),
            [_event(access_group(member.pk), "membership_ended", user=member.pk)],
        ),
        ("doeplein.spaces.actions.do_change_role", "manager demoted"): (
            lambda: actions.do_change_role(actor=owner, space=space, user=manager, role=Role.MEMBER),
            [_event(access_group(manager.pk), "role_changed", user=manager.pk)],
        ),
        ("doeplein.spaces.actions.do_transfer_ownership", "old owner becomes manager"): (
            lambda: actions.do_transfer_ownership(actor=owner, space=space, user=member),
            [_event(access_group(owner.pk), "role_changed", user=owner.pk)],
        ),
        ("doeplein.spaces.actions.do_set_archived", "archived"): (
            lambda: actions.do_set_archived(actor=owner, space=space, archived=True),
            [_event(access_space_group(space.pk), "archived", space=space.pk)],
        ),
        ("doeplein.spaces.actions.do_set_grant", "removed from a person"): (
            grant_and_remove,
            [_event(access_group(member.pk), "grant_removed", user=member.pk)],
        ),
        ("doeplein.spaces.actions.do_set_grant", "removed from a group"): (
            lambda: actions.do_set_grant(
                actor=owner, space=space, codename="view_space", granted=False, group=h["team"]
            ),
            [_event(access_group(member.pk), "grant_removed", user=member.pk)],
        ),
    }


def _moderation_cases(h):
    from doeplein.discussion.actions import do_send_message
    from doeplein.moderation import actions

    manager, member, room = h["manager"], h["member"], h["room"]

    def lift():
        sanction = Sanction.objects.create(room=room, user=member, kind="ban", created_by=manager)
        actions.do_lift_sanction(actor=manager, sanction=sanction)

    def report_sanctioned():
        message, _ = do_send_message(user=member, room=room, body="Fel", client_id="r-1")
        report = actions.do_report_message(user=h["owner"], message=message, reason="Fel")
        actions.do_resolve_report(actor=manager, report=report, resolution="sanctioned", minutes=5)

    return {
        ("doeplein.moderation.actions.do_sanction", kind): (
            lambda kind=kind: actions.do_sanction(
                actor=manager, room=room, user=member, kind=kind, minutes=5 if kind == "mute" else None
            ),
            [_event(access_group(member.pk), f"sanction.{kind}", user=member.pk)],
        )
        for kind in ("mute", "ban")
    } | {
        ("doeplein.moderation.actions.do_lift_sanction", "ban lifted"): (
            lift,
            [_event(access_group(member.pk), "sanction.ban_lifted", user=member.pk)],
        ),
        ("doeplein.moderation.actions.do_resolve_report", "resolved as sanctioned"): (
            report_sanctioned,
            [_event(access_group(member.pk), "sanction.mute", user=member.pk)],
        ),
    }


def _plugin_cases(h):
    cases = {}
    owner = h["owner"]
    if apps.is_installed("workspaces"):
        from doeplein.home.models import Theme
        from workspaces.actions import do_open_workspace, do_update_workspace

        theme = Theme.objects.create(name="Water", slug="water-access")
        workspace = do_open_workspace(
            user=owner, name="Dijken", slug="dijken-access", themes=[theme], visibility="public"
        )
        for field, value in (("visibility", "secret"), ("join_policy", "invitation")):
            cases["workspaces.actions.do_update_workspace", field] = (
                lambda field=field, value=value: do_update_workspace(
                    user=owner, workspace=workspace, **{field: value}
                ),
                [_event(access_space_group(workspace.pk), "settings_changed", space=workspace.pk)],
            )
    if apps.is_installed("groups"):
        from groups.actions import do_create_group, do_update_group

        group = do_create_group(
            user=owner,
            name="Pompen",
            slug="pompen-access",
            parent=h["space"],
            policy="open",
            visibility="public",
        )
        for field, value in (("policy", "secret"), ("visibility", "members")):
            cases["groups.actions.do_update_group", field] = (
                lambda field=field, value=value: do_update_group(user=owner, group=group, **{field: value}),
                [_event(access_space_group(group.pk), "settings_changed", space=group.pk)],
            )
    if apps.is_installed("blogs"):
        from blogs.actions import do_create_post, do_publish_post, do_update_post, post_group

        post = do_create_post(user=owner, space=h["space"], title="Open plan", body="<p>open</p>")
        post = do_publish_post(user=owner, post=post)

        def republish_for_members():
            do_update_post(user=owner, post=post, visibility="members")
            do_publish_post(user=owner, post=post)

        cases["blogs.actions.do_publish_post", "visibility narrowed"] = (
            republish_for_members,
            [(post_group(post.pk), {"kind": "access_changed", "reason": "post_visibility"})],
        )
    return cases


def all_cases(h):
    return _spaces_cases(h) | _moderation_cases(h) | _plugin_cases(h)


CASE_IDS = [
    ("doeplein.spaces.actions.do_leave", "member leaves"),
    ("doeplein.spaces.actions.do_remove_member", "member removed"),
    ("doeplein.spaces.actions.do_change_role", "manager demoted"),
    ("doeplein.spaces.actions.do_transfer_ownership", "old owner becomes manager"),
    ("doeplein.spaces.actions.do_set_archived", "archived"),
    ("doeplein.spaces.actions.do_set_grant", "removed from a person"),
    ("doeplein.spaces.actions.do_set_grant", "removed from a group"),
    ("doeplein.moderation.actions.do_sanction", "mute"),
    ("doeplein.moderation.actions.do_sanction", "ban"),
    ("doeplein.moderation.actions.do_lift_sanction", "ban lifted"),
    ("doeplein.moderation.actions.do_resolve_report", "resolved as sanctioned"),
    ("workspaces.actions.do_update_workspace", "visibility"),
    ("workspaces.actions.do_update_workspace", "join_policy"),
    ("groups.actions.do_update_group", "policy"),
    ("groups.actions.do_update_group", "visibility"),
    ("blogs.actions.do_publish_post", "visibility narrowed"),
]


def test_the_scan_finds_exactly_the_actions_listed(house):
    """Every action that writes an access field is run below or said to only widen access."""
    found = scan()
    writers = {name for name, (writes, _emits) in found.items() if writes}
    covered = {name for name, _variant in all_cases(house)}
    assert writers - covered - set(WIDENING) == set(), (
        "An action writes an access field: add it to CASES (with the access_changed it publishes) or to "
        "WIDENING (with why it cannot narrow access)"
    )
    assert set(WIDENING) & set(found) <= writers  # no stale entries
    assert covered <= {name for name, _ in CASE_IDS}
    # The narrowing ones reach access_changed_on_commit (the run below proves they publish it).
    assert sorted(name for name in covered if not found[name][1]) == []
    assert "parent" in Space.ACCESS_FIELDS  # no action writes a space's parent today; one that does is found


def test_the_scan_sees_a_new_action_that_writes_an_access_field(monkeypatch):
    """The scan is not blind: an action added to a module that sets ``visibility`` is found, with and
    without the event."""
    import types

    source = textwrap.dedent(
        """
        from doeplein.live import access_changed_on_commit
        def do_hush(*, space):
            space.visibility = "secret"
            space.save()
        def _move(space, parent):
            space.parent = parent
        def do_move(*, space, parent):
            _move(space, parent)
            access_changed_on_commit(space_ids=[space.pk], reason="parent_changed")
        def do_nothing(*, space):
            return space.name
        """
    )
    module = types.ModuleType("doeplein.fake.actions")
    exec(compile(source, "<fake actions>", "exec"), module.__dict__)  # noqa: S102
    monkeypatch.setattr(
        inspect, "getsource", lambda m, _real=inspect.getsource: source if m is module else _real(m)
    )
    monkeypatch.setattr(f"{__name__}._actions_modules", lambda: [module])
    assert scan() == {
        "doeplein.fake.actions.do_hush": (True, False),
        "doeplein.fake.actions.do_move": (True, True),
        "doeplein.fake.actions.do_nothing": (False, False),
    }


@pytest.mark.parametrize("case", CASE_IDS, ids=lambda c: f"{c[0].rsplit('.', 1)[-1]}: {c[1]}")
def test_every_access_narrowing_action_publishes_access_changed(house, live_events, case):
    cases = all_cases(house)
    if case not in cases:
        pytest.skip(f"{case[0].split('.')[0]} is not installed")
    run, expected = cases[case]
    with live_events() as events:
        run()
    assert [(group, event) for group, event in events if event.get("kind") == "access_changed"] == expected
