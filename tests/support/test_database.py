"""The test database, migrated once and cloned for every test process.

Migrating Doeplein's schema takes about two minutes; with pytest-xdist every worker used to do it for its
own database before its first test. On PostgreSQL the first process that needs a database now builds a
*template* database (``test_<name>_tpl_<fingerprint>``) under a PostgreSQL advisory lock, so only one process
migrates while the others wait, and every process then gets its own copy with
``CREATE DATABASE test_<name>_gw0 TEMPLATE test_<name>_tpl_<fingerprint>`` (a file copy: a second or two).

The template is kept between runs (the newest three schemas). It is named after, and its comment holds, a fingerprint of everything that decides the schema:
the installed apps, Django's version and the text of every migration file (and the models of apps that
have no migrations). A run whose fingerprint differs rebuilds it; ``--create-db`` forces a rebuild.
Other databases (SQLite, locally) take pytest-django's usual path: one file per process, migrated there.
"""

import hashlib
import sys
from contextlib import contextmanager
from pathlib import Path

import django

# One key for every Doeplein test run on this server: building and cloning are serialised across runs.
_LOCK_KEY = 0x0D0E_91E1


def fingerprint():
    """A hash of what the migrated schema depends on."""
    from django.apps import apps
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256()
    digest.update(django.get_version().encode())
    digest.update(repr(list(settings.INSTALLED_APPS)).encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = set()
    for migration in loader.disk_migrations.values():
        module = sys.modules.get(type(migration).__module__)
        if module is not None and getattr(module, "__file__", None):
            files.add(module.__file__)
    for label in loader.unmigrated_apps:
        with_models = apps.get_app_config(label).models_module
        if with_models is not None and getattr(with_models, "__file__", None):
            files.add(with_models.__file__)
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


@contextmanager
def _maintenance_cursor(connection):
    """A cursor on the server's maintenance database (``postgres``), outside any test database."""
    with connection._nodb_cursor() as cursor:
        yield cursor


def _quote(connection, name):
    return connection.ops.quote_name(name)


def _template_fingerprint(cursor, name):
    cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    return None if row is None else (row[0] or "")


def _build_template(connection, cursor, template, stamp, verbosity):
    """Create and migrate ``template`` with Django's own test-database creation, then label it."""
    from django.conf import settings

    qn = _quote(connection, template)
    cursor.execute(f"DROP DATABASE IF EXISTS {qn} WITH (FORCE)")
    test_settings = connection.settings_dict.setdefault("TEST", {})
    previous_test_name = test_settings.get("NAME")
    original_name = connection.settings_dict["NAME"]
    test_settings["NAME"] = template
    try:
        # Migrates, creates the cache table and points the connection at the template …
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        test_settings["NAME"] = previous_test_name
        connection.close()  # … which must have no session left when it is copied.
        connection.settings_dict["NAME"] = original_name
        settings.DATABASES[connection.alias]["NAME"] = original_name
    cursor.execute(f"COMMENT ON DATABASE {qn} IS %s", [stamp])


KEEP_TEMPLATES = 3


def _drop_old_templates(connection, cursor, prefix, keep):
    """Templates of older schemas: keep the newest few (a branch switch back should not migrate again)."""
    like = prefix.replace("_", r"\_") + "%"
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY oid DESC", [like])
    for (name,) in cursor.fetchall()[keep:]:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, name)} WITH (FORCE)")


def setup_cloned_database(connection, *, rebuild=False, verbosity=0):
    """Give this process its own test database, copied from the migrated template. Returns its name.

    The advisory lock is held while the template is checked, (re)built and copied, so a process never
    copies a template another process is still migrating.
    """
    from django.conf import settings

    original_name = connection.settings_dict["NAME"]
    own_name = connection.creation._get_test_db_name()  # test_<name>, plus _gw<n> under xdist
    stamp = fingerprint()
    # One template per schema: runs with another plugin set (DOEPLEIN_PLUGINS=groups) keep their own.
    prefix = f"test_{original_name}"[:45] + "_tpl_"
    template = prefix + stamp[:12]
    connection.close()
    with _maintenance_cursor(connection) as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            if rebuild or _template_fingerprint(cursor, template) != stamp:
                if verbosity:
                    print(f"\nMigrating the template test database {template} …", file=sys.stderr)  # noqa: T201
                _build_template(connection, cursor, template, stamp, verbosity)
                _drop_old_templates(connection, cursor, prefix, keep=KEEP_TEMPLATES)
            qn = _quote(connection, own_name)
            # Not FORCE: a database of this name still in use belongs to another run of the same tests
            # (same DATABASE_URL, same xdist worker id), and PostgreSQL refuses to drop it, as it should.
            cursor.execute(f"DROP DATABASE IF EXISTS {qn}")
            cursor.execute(f"CREATE DATABASE {qn} TEMPLATE {_quote(connection, template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    # What create_test_db does once the database exists.
    settings.DATABASES[connection.alias]["NAME"] = own_name
    connection.settings_dict["NAME"] = own_name
    connection.close()
    connection.ensure_connection()
    return original_name


def teardown_cloned_database(connection, original_name):
    own_name = connection.settings_dict["NAME"]
    connection.close()
    from django.conf import settings

    settings.DATABASES[connection.alias]["NAME"] = original_name
    connection.settings_dict["NAME"] = original_name
    with _maintenance_cursor(connection) as cursor:
        # FORCE: a live-server thread or a worker process may still hold a session.
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, own_name)} WITH (FORCE)")
