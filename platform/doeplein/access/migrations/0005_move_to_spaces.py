from django.db import migrations


class Migration(migrations.Migration):
    """The space models now belong to ``doeplein.spaces`` (see ``spaces.0001_initial``); the gate keeps
    no models. State only: the tables stay where they are, owned by the new app."""

    dependencies = [
        ("access", "0004_membership_role_index"),
        ("spaces", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SpaceGroupObjectPermission"),
                migrations.DeleteModel(name="SpaceUserObjectPermission"),
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="JoinRequest"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Space"),
            ]
        )
    ]
