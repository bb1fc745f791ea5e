import django.db.models.deletion
from django.db import migrations, models

from doeplein.spaces.migration_operations import AlterModelBases


class Migration(migrations.Migration):
    """The space models moved from ``access`` to ``spaces``: point the foreign keys at the new app
    (state only; the columns and constraints stay). Runs between the two halves of the move."""

    dependencies = [
        ("workspaces", "0001_initial"),
        ("spaces", "0001_initial"),
    ]
    run_before = [("access", "0005_move_to_spaces")]

    operations = [
        AlterModelBases(
            "workspace",
            ("spaces.space", models.Model),
            parent_link="space_ptr",
            field=models.OneToOneField(
                auto_created=True,
                on_delete=django.db.models.deletion.CASCADE,
                parent_link=True,
                primary_key=True,
                serialize=False,
                to="spaces.space",
            ),
        ),
    ]
