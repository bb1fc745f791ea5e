"""The move of the space models from ``access`` to ``spaces`` keeps every row and every content type id.

The test database is migrated back to the state before the move (``access.0004`` and each app's
migration before its ``*_space_moved``), filled through the historical models, then migrated forward
to the latest state, where the same rows must be read through the new app's models.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# (app, the last migration before the move); apps that are not installed are left out.
BEFORE_MOVE = [
    ("access", "0004_membership_role_index"),
    ("activity", "0001_initial"),
    ("moderation", "0001_initial"),
    ("discussion", "0002_one_room_per_space"),
    ("workspaces", "0001_initial"),
    ("groups", "0001_initial"),
    ("plugin_example", "0001_initial"),
]
MOVED = [
    "space",
    "membership",
    "joinrequest",
    "invitation",
    "spaceuserobjectpermission",
    "spacegroupobjectpermission",
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state at the named migrations (a target ``(app, None)``, all of an app undone, names no state).
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _fill(apps):
    """A small platform as it looked before the move: users, spaces of each kind, members, a request,
    an invitation, an activity about a space and a room in it."""
    from django.utils import timezone

    user_model = apps.get_model("accounts", "User")
    names = {f.name for f in user_model._meta.fields}
    users = []
    for n in range(3):
        fields = {"email": f"move{n}@example.org", "password": "!"}
        if "username" in names:
            fields["username"] = fields["email"]
        users.append(user_model.objects.create(**fields))
    Space = apps.get_model("access", "Space")
    Membership = apps.get_model("access", "Membership")
    spaces = [Space.objects.create(kind="test", name=f"Space {n}", visibility="public") for n in range(2)]
    installed = {model._meta.app_label for model in apps.get_models()}
    if "workspaces" in installed:
        Workspace = apps.get_model("workspaces", "Workspace")
        spaces.append(
            Workspace.objects.create(
                kind="workspace", name="Werkplaats", slug="werkplaats", visibility="public"
            )
        )
    if "groups" in installed:
        Group = apps.get_model("groups", "Group")
        spaces.append(
            Group.objects.create(
                kind="group", name="Groep", slug="groep", parent_id=spaces[0].pk, scope=spaces[0].pk
            )
        )
    for space in spaces:
        for user in users[:2]:
            Membership.objects.create(space_id=space.pk, user=user, role=10)
    apps.get_model("access", "JoinRequest").objects.create(space_id=spaces[0].pk, user=users[2])
    apps.get_model("access", "Invitation").objects.create(
        space_id=spaces[1].pk,
        email="invited@example.org",
        token_hash="x" * 64,
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    ContentType = apps.get_model("contenttypes", "ContentType")
    space_type = ContentType.objects.get(app_label="access", model="space")
    apps.get_model("activity", "Activity").objects.create(
        actor=users[0],
        verb="space.joined",
        target_type=space_type,
        target_id=str(spaces[0].pk),
        space_id=spaces[0].pk,
    )
    apps.get_model("discussion", "Room").objects.create(space_id=spaces[0].pk, title="Praatplaats")


def _installed(apps, label):
    return any(config.label == label for config in apps.get_app_configs())


def _counts(apps, app_label):
    return {model: apps.get_model(app_label, model).objects.count() for model in MOVED}


@pytest.mark.django_db(transaction=True)
def test_moving_the_space_models_keeps_rows_and_content_types(needs_postgres):
    from django.apps import apps as installed_apps

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [(app, name) for app, name in BEFORE_MOVE if _installed(installed_apps, app)]
    try:
        old = _migrate([("spaces", None), *before])
        _fill(old)
        rows_before = _counts(old, "access")
        ContentType = old.get_model("contenttypes", "ContentType")
        type_ids = {m: ContentType.objects.get(app_label="access", model=m).pk for m in MOVED}
        kinds_before = sorted(old.get_model("access", "Space").objects.values_list("pk", "kind"))
    finally:
        new = _migrate(latest)  # forward in any case: the tests after this one need the latest schema

    assert _counts(new, "spaces") == rows_before
    assert rows_before["space"] >= 2 and rows_before["membership"] >= 4
    ContentType = new.get_model("contenttypes", "ContentType")
    assert {m: ContentType.objects.get(app_label="spaces", model=m).pk for m in MOVED} == type_ids
    assert not ContentType.objects.filter(app_label="access", model__in=MOVED).exists()
    assert sorted(new.get_model("spaces", "Space").objects.values_list("pk", "kind")) == kinds_before

    # The live models read the moved rows: the activity's target, the room's space, a workspace's parent row.
    from doeplein.activity.models import Activity
    from doeplein.discussion.models import Room
    from doeplein.spaces.models import Membership, Space

    activity = Activity.objects.get(verb="space.joined")
    assert isinstance(activity.target_type.get_object_for_this_type(pk=activity.target_id), Space)
    assert Room.objects.get(title="Praatplaats").space.name == "Space 0"
    assert Membership.objects.filter(space__name="Space 0").count() == 2
    if installed_apps.is_installed("workspaces"):
        assert Space.objects.get(kind="workspace").specific.slug == "werkplaats"
