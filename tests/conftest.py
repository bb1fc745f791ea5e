"""Shared fixtures. Tests run against whatever DATABASE_URL / REDIS_URL say (CI: PostgreSQL and Redis).

In CI (CI=true) a test that needs PostgreSQL, Redis or Chromium fails instead of skipping.
"""

import itertools
import os
import shutil

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_counter = itertools.count(1)


def require(condition, reason):
    """Skip with a visible reason locally; fail in CI, where every real part must be present."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's database setup, except that on PostgreSQL the schema is migrated once (into a
    template database kept between runs) and every test process gets a copy: see tests/support/test_database.py."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    from tests.support import test_database

    connection = connections["default"]
    verbosity = request.config.option.verbose
    clone = (
        os.environ.get("DOEPLEIN_TEST_DB_CLONE", "1") != "0"
    )  # 0: every process migrates its own (the old way)
    if (
        clone
        and connection.vendor == "postgresql"
        and django_db_use_migrations
        and len(connections.settings) == 1
    ):
        with django_db_blocker.unblock():
            original_name = test_database.setup_cloned_database(
                connection, rebuild=django_db_createdb, verbosity=verbosity
            )
        yield
        with django_db_blocker.unblock():
            test_database.teardown_cloned_database(connection, original_name)
        return

    # Anything else (SQLite locally, --nomigrations): pytest-django's own path.
    if not django_db_use_migrations:
        from pytest_django.fixtures import _disable_migrations

        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, keepdb=keepdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture
def needs_postgres():
    require(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs DATABASE_URL=postgres://…",
    )


@pytest.fixture
def needs_redis():
    require(bool(settings.REDIS_URL), "needs REDIS_URL=redis://…")


@pytest.fixture
def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    require(os.path.exists(path), "no Chromium found (apt-get install chromium)")
    return path


@pytest.fixture
def make_user(db):
    """A confirmed, active user with a profile. ``make_user(role="civil_servant")`` grants a role."""
    from allauth.account.models import EmailAddress

    from doeplein.accounts.actions import do_grant_role, ensure_profile
    from doeplein.accounts.models import User

    def make(email=None, password="correct-horse-battery", role=None, **extra):
        n = next(_counter)
        email = email or f"person{n}@example.org"
        extra.setdefault("first_name", f"Person{n}")
        user = User.objects.create_user(email=email, password=password, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        ensure_profile(user)
        if role:
            do_grant_role(actor=None, user=user, role=role)
        return user

    return make


@pytest.fixture
def make_space(db):
    """A space of any visibility, with members: ``make_space("secret", members={user: Role.MEMBER})``."""
    from doeplein.spaces.models import Membership, Space

    def make(visibility="public", members=None, parent=None, kind="test", archived=False, name=None):
        space = Space.objects.create(
            kind=kind,
            name=name or f"Space {next(_counter)}",
            visibility=visibility,
            parent=parent,
            is_archived=archived,
        )
        for user, role in (members or {}).items():
            Membership.objects.create(space=space, user=user, role=role)
        return space

    return make


@pytest.fixture
def call(client):
    """``call("post", path, user, json)``: one API request (English messages) with the user's bearer
    token, or anonymous when ``user`` is None. GET sends ``data``/keywords as the query string."""
    from tests.support.api import bearer

    def do(method, path, user=None, data=None, **params):
        headers = {"Accept-Language": "en", **(bearer(user) if user is not None else {})}
        url = f"/api/v1{path}"
        if method == "get":
            return client.get(url, params, headers=headers)
        return getattr(client, method)(url, data or {}, content_type="application/json", headers=headers)

    return do


@pytest.fixture
def live_events(db):
    """``with live_events() as events:`` records what ``doeplein.live.publish`` sends after commit
    (see tests/support/live.py); assert the exact list."""
    from tests.support.live import capture_live_events

    return capture_live_events


@pytest.fixture(autouse=True)
def _write_behind_of_this_test_only():
    """Room sockets queue read markers and activity records (doeplein.discussion.afterwards); in this
    process they are written only when a test calls ``queue.flush()`` (server processes the tests start
    run the batching thread as in production), and what one test queued never reaches the next test."""
    from doeplein.discussion.afterwards import queue

    queue.autostart = False  # no background thread writing into another test's data: tests flush() themselves
    yield
    queue.discard()


# --- Runs with some plugins only (DOEPLEIN_PLUGINS=groups ./dev test) --------------------------------------
_PLUGINS = ("workspaces", "groups", "blogs", "files")


def pytest_runtest_setup(item):
    """``@pytest.mark.needs_plugins("workspaces")``: a test of the core that needs a plugin's models skips,
    with that reason, where the plugin is not installed."""
    from django.apps import apps

    for marker in item.iter_markers("needs_plugins"):
        missing = [name for name in marker.args if not apps.is_installed(name)]
        if missing:
            pytest.skip(f"needs the {', '.join(missing)} plugin(s), not installed (DOEPLEIN_PLUGINS)")


def pytest_ignore_collect(collection_path, config):
    """Leave out test files of plugins that are not installed: a file under ``tests/<plugin>/``, or one
    that imports the plugin at module level. ``DOEPLEIN_PLUGINS=groups ./dev test`` runs what applies."""
    from django.apps import apps

    missing = [p for p in _PLUGINS if not apps.is_installed(p)]
    if not missing or collection_path.suffix != ".py" and not collection_path.is_dir():
        return None
    parts = collection_path.parts
    if any(p in parts[parts.index("tests") + 1 :][:1] for p in missing) if "tests" in parts else False:
        return True
    if collection_path.suffix == ".py":
        text = collection_path.read_text(encoding="utf-8", errors="ignore")
        for plugin in missing:
            if f"\nfrom {plugin}." in text or f"\nimport {plugin}" in text or f"\nfrom {plugin} " in text:
                return True
    return None
