"""A newcomer's journey in a real browser: register, confirm, log in, fill in the profile with
per-field audiences, and see that another person sees only what they may. Every page on the way
passes axe-core's WCAG 2.1 A/AA rules, at desktop and phone sizes (screenshots in var/screenshots/)."""

import re

import pytest
from django.core import mail

from tests.e2e.conftest import SIZES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
BIO = "I help municipalities work with residents on climate adaptation."


def confirmation_link(address, base):
    """The link in the mail, which is on the public SITE_URL (never the request's host); the test
    server listens elsewhere, so follow its path there."""
    [message] = [m for m in mail.outbox if address in m.to]
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
    assert match, message.body
    return base + match.group(1)


def submit(page, button=None):
    """Press the page's main submit button and wait for the page it leads to."""
    with page.expect_navigation():
        (button or page.locator("main form button[type=submit]")).click()


def log_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page)
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def test_register_confirm_log_in_and_share_a_profile(
    live_server, home_site, browser, make_user, task_broker, screen, look
):
    from doeplein.accounts.models import User

    base = live_server.url
    owner_context = browser.new_context(locale="en-GB", viewport=SIZES[screen])
    page = owner_context.new_page()

    page.goto(base + "/")
    assert page.locator("h1").count() == 1
    look(page, "account-home")
    page.get_by_role("link", name=re.compile("Register|Registreren|Join|Doe mee", re.I)).first.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    look(page, "account-signup")

    page.fill("input[name=email]", "newcomer@example.org")
    page.fill("input[name=first_name]", "Nadia")
    page.fill("input[name=last_name]", "Newcomer")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    look(page, "account-signed-up")
    newcomer = User.objects.get(email="newcomer@example.org")
    assert (newcomer.first_name, newcomer.last_name) == ("Nadia", "Newcomer")

    page.goto(confirmation_link("newcomer@example.org", base))
    look(page, "account-confirm-email")
    submit(page)
    assert newcomer.emailaddress_set.get().verified

    page.goto(base + "/accounts/login/")
    look(page, "account-login")
    log_in(page, base, "newcomer@example.org", PASSWORD)
    look(page, "account-start")

    page.goto(base + "/people/me/edit/")
    look(page, "account-profile-edit")
    page.fill("input[name=organisation]", "Gemeente Utrecht")
    page.select_option("select[name=audience_organisation]", "everyone")
    page.fill("input[name=job_title]", "Policy adviser")
    page.fill("textarea[name=bio]", BIO)
    page.select_option("select[name=audience_bio]", "only_me")
    page.fill("input[name=skills]", "participation")
    submit(page, page.get_by_role("button", name=re.compile("Save profile|Profiel opslaan", re.I)))
    page.wait_for_url(re.compile(rf"/people/{newcomer.pk}/$"))

    # The owner sees everything, the bio included.
    assert page.locator("[data-field=organisation]").inner_text() == "Gemeente Utrecht"
    assert page.locator("[data-field=bio]").inner_text() == BIO
    assert "participation" in page.locator("[data-field=skills]").inner_text()
    look(page, "account-profile-owner")

    # Another logged-in person: the organisation (everyone) yes, the bio (only me) no.
    other = make_user(password=PASSWORD)
    other_context = browser.new_context(locale="en-GB", viewport=SIZES[screen])
    other_page = other_context.new_page()
    log_in(other_page, base, other.email, PASSWORD)
    other_page.goto(f"{base}/people/{newcomer.pk}/")
    assert other_page.locator("h1").inner_text() == "Nadia Newcomer"
    assert other_page.locator("[data-field=organisation]").inner_text() == "Gemeente Utrecht"
    assert other_page.locator("[data-field=bio]").count() == 0
    assert BIO not in other_page.content()
    look(other_page, "account-profile-other")

    # Nobody logged in: the organisation is for everyone, the skills (logged-in users by default) are not.
    anonymous_page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
    anonymous_page.goto(f"{base}/people/{newcomer.pk}/")
    assert anonymous_page.locator("[data-field=organisation]").inner_text() == "Gemeente Utrecht"
    assert anonymous_page.locator("[data-field=skills]").count() == 0
    assert BIO not in anonymous_page.content()
    look(anonymous_page, "account-profile-anonymous")
