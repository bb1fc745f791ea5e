"""A pytest plugin that installs the test-only apps (``tests.plugin_example``) for the test run.

pytest-django sets Django up before any ``conftest.py`` is read, so a conftest is too late to add an app.
This module is loaded with ``-p tests.pytest_extra_apps`` from pyproject's ``addopts``, and ``-p`` plugins
are imported before pytest-django reads the settings, which take extra apps from ``DOEPLEIN_EXTRA_APPS``.
No core file names the test apps: they arrive exactly as a third-party plugin would.
"""

import os

import pytest

TEST_APPS = ["tests.plugin_example"]
_VARIABLE = "DOEPLEIN_EXTRA_APPS"
_previous = os.environ.get(_VARIABLE)
_apps = [app.strip() for app in (_previous or "").split(",") if app.strip()]
# xdist workers load this plugin again; never name an app twice (Django refuses duplicate labels).
os.environ[_VARIABLE] = ",".join(_apps + [app for app in TEST_APPS if app not in _apps])


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    # pytest-django has read the settings by now (in pytest_load_initial_conftests). Put the variable back
    # so that processes the tests start (a Celery worker, manage.py) boot the platform's own apps only.
    if _previous is None:
        os.environ.pop(_VARIABLE, None)
    else:
        os.environ[_VARIABLE] = _previous
