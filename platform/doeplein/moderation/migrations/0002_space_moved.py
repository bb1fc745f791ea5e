import django.db.models.deletion
from django.db import migrations, models

from doeplein.spaces.migration_operations import repoint


class Migration(migrations.Migration):
    """The space models moved from ``access`` to ``spaces``: point the foreign keys at the new app
    (state only; the columns and constraints stay). Runs between the two halves of the move."""

    dependencies = [
        ("moderation", "0001_initial"),
        ("spaces", "0001_initial"),
    ]
    run_before = [("access", "0005_move_to_spaces")]

    operations = [
        repoint(
            "auditentry",
            "space",
            models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="spaces.space"),
        ),
        repoint(
            "wordfilter",
            "space",
            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="word_filters", to="spaces.space"),
        ),
    ]
