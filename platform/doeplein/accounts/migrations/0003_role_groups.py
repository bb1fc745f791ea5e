"""The two platform roles are Django groups, so administrators grant them in the Wagtail admin."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    user_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    open_workspace, _ = Permission.objects.get_or_create(
        codename="open_workspace", content_type=user_type, defaults={"name": "Can open workspaces (civil servant)"}
    )
    for name in ("Civil servants", "Platform administrators"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(open_workspace)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
