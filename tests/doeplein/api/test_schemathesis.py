"""schemathesis fuzzes /api/v1/ against its own OpenAPI document, on a live server (issue 14).

Three callers: anonymous, a bearer token, and a browser session with its CSRF token. schemathesis
generates valid and invalid data (``--mode all``) with a fixed seed and a bounded number of examples per
operation, so a CI run is short and repeatable; ``SCHEMATHESIS_MAX_EXAMPLES=200`` (say) fuzzes longer and
``SCHEMATHESIS_SEED`` picks another seed. Any 5xx is a failure (``not_a_server_error``), as is an answer
that is not JSON or not of a status the document lists. The counts are printed.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.support.api import bearer
from tests.support.asgi_server import session_cookie

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
# A time budget per caller keeps CI short on a loaded machine; SCHEMATHESIS_MAX_TIME=0 lifts it.
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "120"))
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing")
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261202"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"


@pytest.fixture
def fuzz_world(transactional_db, make_user):
    """Ids that exist: a workspace and a group the caller owns, a room with a message, another person."""
    from doeplein.discussion.actions import do_send_message, get_or_create_room
    from doeplein.home.models import Theme

    owner = make_user(role="civil_servant")
    make_user()
    theme = Theme.objects.create(name="Fuzz", slug="fuzz")
    try:
        from workspaces.actions import do_open_workspace
    except ImportError:  # a platform without workspaces
        workspace = None
    else:
        workspace = do_open_workspace(
            user=owner,
            name="Fuzzplaats",
            slug="fuzzplaats",
            themes=[theme],
            visibility="public",
            join_policy="request",
        )
    if workspace is not None:
        room = get_or_create_room(space=workspace, title=workspace.name)
        do_send_message(user=owner, room=room, body="Hallo", client_id="st-1")
    return owner


def _run(live_server, label, headers):
    executable = shutil.which("schemathesis", path=os.path.dirname(sys.executable)) or "schemathesis"
    command = [
        executable, "run", f"{live_server.url}/api/v1/openapi.json",
        "--checks", CHECKS, "--mode", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--phases", PHASES, "--no-shrink", "--request-timeout", "20",
        "--workers", "1", "--suppress-health-check", "all", "--no-color",
    ]  # fmt: skip
    if MAX_TIME:
        command += ["--max-time", str(MAX_TIME)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=MAX_TIME * 3 + 300 if MAX_TIME else None, check=False
    )
    counts = re.search(r"Test cases:\s*\n\s*(\d+) generated, ([^\n]*)", completed.stdout)
    cases = int(counts.group(1)) if counts else 0
    failed = re.search(r"(\d+) failed", counts.group(2)) if counts else None
    failures = int(failed.group(1)) if failed else 0
    summary = (
        completed.stdout.split("SUMMARY")[-1].strip()
        if "SUMMARY" in completed.stdout
        else completed.stdout[-1500:]
    )
    print(f"schemathesis {label} summary:\n{summary}")  # noqa: T201
    line = (
        f"schemathesis {label}: exit {completed.returncode}, {cases} test cases (requests), {failures} failed"
    )
    print(line)  # noqa: T201
    return completed, cases, failures


@pytest.mark.parametrize("caller", ["anonymous", "bearer", "session"])
def test_schemathesis_finds_no_failure(needs_postgres, live_server, fuzz_world, caller):
    headers = {"Accept-Language": "en"}
    if caller == "bearer":
        headers.update(bearer(fuzz_world))
    elif caller == "session":
        csrf = secrets.token_hex(16)  # Django takes the cookie's secret back as the header's token
        headers["Cookie"] = f"{session_cookie(fuzz_world)}; csrftoken={csrf}"
        headers["X-CSRFToken"] = csrf
        headers["Referer"] = live_server.url + "/"
    completed, cases, failures = _run(live_server, caller, headers)
    output = completed.stdout[-12000:] + completed.stderr[-3000:]
    assert cases > 20, output  # the run really happened
    assert completed.returncode == 0 and failures == 0, output
