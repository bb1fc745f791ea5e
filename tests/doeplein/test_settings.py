"""Configuration comes from the environment; bad values stop start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_django(**env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
    }
    environment.update({"DOEPLEIN_TESTING": "0", **env})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysqlx://nobody@nowhere/db"),
        ("DATABASE_URL", "postgres://user@localhost"),
        ("REDIS_URL", "localhost:6379"),
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
    ],
)
def test_malformed_setting_stops_start_up_naming_the_variable(variable, value):
    result = start_django(**{"DEBUG": "1", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_production_without_secret_key_refuses_to_start():
    result = start_django(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_no_environment_means_the_embedded_default(tmp_path):
    result = start_django(DEBUG="1", DOEPLEIN_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_switches_to_postgresql(tmp_path):
    result = start_django(DEBUG="1", DATABASE_URL="postgres://someone@db.example:5432/doeplein")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"
