"""platform/ is a source folder, never a package: `import platform` is the standard library."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_platform_folder_has_no_init():
    assert not (ROOT / "platform" / "__init__.py").exists()


@pytest.mark.parametrize("cwd", [ROOT, ROOT / "platform", ROOT / "tests", Path("/")])
def test_import_platform_is_the_standard_library_from_any_directory(cwd):
    code = (
        "import platform, uuid, doeplein, sys;"
        "assert platform.python_version() == '%d.%d.%d' % sys.version_info[:3], platform.__file__;"
        "print(platform.__file__)"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    assert "site-packages" not in out.stdout and out.stdout.strip().endswith("platform.py")


def test_manage_py_and_celery_see_the_standard_library():
    env = {**os.environ, "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import platform; print(platform.system())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "Linux"
    code = "import platform; from doeplein.celery import app; print(platform.machine(), app.main)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().endswith("doeplein")
