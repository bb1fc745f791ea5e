"""Pages load in Chromium with the Content-Security-Policy enforced, and the browser reports no violation.

The other journeys bypass the policy (their harness injects axe-core inline and evaluates expressions);
this one does not, so a page that needed an inline script or handler would show up here.
"""

import pytest

pytestmark = pytest.mark.e2e


def test_pages_load_with_the_policy_enforced_and_no_violation(live_server, home_site, browser, make_user):
    context = browser.new_enforcing_context(locale="en-GB")
    page = context.new_page()
    violations, loaded = [], []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    base = live_server.url
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/nope/"):
        response = page.goto(base + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        loaded.append(path)
    context.close()
    print(f"CSP journey: {len(loaded)} pages, {len(violations)} violations")  # noqa: T201
    assert not violations, violations
