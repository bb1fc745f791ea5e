"""The search vector on the document row, GIN-indexed (PostgreSQL), filled from the rows already there."""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

from doeplein.search.models import vector_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the demo): no tsvector, no GIN; the search there uses Wagtail's database backend
    schema_editor.execute(f"UPDATE search_searchdocument d SET vector = {vector_sql('d')}")  # noqa: S608
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_vector ON search_searchdocument USING gin (vector)"
    )
    # Candidates for ranking, newest first (docs/search.md: bounded ranking).
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_newest ON search_searchdocument (date DESC NULLS LAST, id DESC)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_vector")
    schema_editor.execute("DROP INDEX IF EXISTS search_document_newest")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="vector",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["person_id"], name="search_document_person"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
