"""Fixtures for the files plugin: a private storage per test, spaces with every role, uploads."""

import io

import pytest
from django.conf import settings
from django.test import Client, override_settings

from doeplein.spaces.models import Role


@pytest.fixture(autouse=True)
def files_root(tmp_path):
    with override_settings(
        FILES_ROOT=str(tmp_path / "store"), FILES_UPLOAD_TMP=str(tmp_path / "tmp"), FILES_SCANNER="none"
    ):
        yield tmp_path


@pytest.fixture
def english_client():
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture
def people(make_user):
    return {
        "owner": make_user(),
        "manager": make_user(),
        "member": make_user(),
        "other_member": make_user(),
        "guest": make_user(),
        "outsider": make_user(),
    }


@pytest.fixture
def team(make_space, people):
    """A members-only space with an owner, a community manager, two members and a guest."""
    return make_space(
        "members",
        members={
            people["owner"]: Role.OWNER,
            people["manager"]: Role.COMMUNITY_MANAGER,
            people["member"]: Role.MEMBER,
            people["other_member"]: Role.MEMBER,
            people["guest"]: Role.GUEST,
        },
    )


def blob(data=b"hello world\n", name="note.txt"):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.fixture
def upload():
    """``upload(user, space, data, name, **kw)`` stores a file through the action and runs its scan and
    processing as the worker would."""
    from files.actions import do_upload
    from files.tasks import scan_version_task

    def do(user, space, data=b"hello world\n", name="note.txt", process=True, **kwargs):
        version = do_upload(user=user, space=space, fileobj=blob(data, name), name=name, **kwargs)
        if process:
            scan_version_task.run(version.pk)
            version.refresh_from_db()
        return version

    return do


def _png(width=3, height=2):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
