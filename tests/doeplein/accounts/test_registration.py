"""Registration, confirmation, log-in, log-out and password reset through allauth, end to end."""

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import translation

from doeplein.accounts.models import User

from .conftest import NEW_PASSWORD, PASSWORD, link_in

pytestmark = pytest.mark.django_db


def log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_signup_sends_a_confirmation_mail_and_confirming_lets_the_person_log_in(client, signup, confirm):
    response = signup("anna@example.org", first_name="Anna", last_name="de Vries")

    assert response.status_code == 302
    user = User.objects.get(email="anna@example.org")
    assert (user.first_name, user.last_name) == ("Anna", "de Vries")
    assert user.profile.pk  # created on sign-up
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]

    # Unconfirmed: the log-in does not let them in yet.
    log_in(client, "anna@example.org")
    assert "_auth_user_id" not in client.session

    confirmed = confirm()
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = log_in(client, "anna@example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/people/me/").status_code == 302  # to the own profile page
    assert client.get(f"/people/{user.pk}/").status_code == 200


def test_login_is_case_insensitive_for_the_email(client, signup, confirm):
    signup("Case.Person@Example.org")
    confirm()
    log_in(client, "case.person@example.org")
    assert client.session.get("_auth_user_id") == str(
        User.objects.get(email__iexact="case.person@example.org").pk
    )


def test_logout_needs_a_post_and_ends_the_session(client, make_user):
    user = make_user()
    client.force_login(user)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200  # a confirmation page, not a log-out
    assert client.session.get("_auth_user_id") == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    response = log_in(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_login_is_refused_after_five_failures_even_with_the_right_password(client, make_user):
    user = make_user()
    for _attempt in range(5):
        response = log_in(client, user.email, "wrong-password-123")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    response = log_in(client, user.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
    assert response.context["form"].non_field_errors() == [expected]
    assert expected in response.content.decode()


def test_failed_logins_for_one_account_do_not_lock_out_another(client, make_user):
    victim, other = make_user(), make_user()
    for _attempt in range(5):
        log_in(client, victim.email, "wrong-password-123")
    log_in(client, other.email, PASSWORD)
    assert client.session.get("_auth_user_id") == str(other.pk)


def test_password_reset_by_link_from_the_mail(client, make_user):
    user = make_user(email="forgetful@example.org")
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    form_page = client.get(path, follow=True)  # allauth moves the key into the session first
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    log_in(client, user.email, NEW_PASSWORD)
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_password_reset_for_unknown_address_reveals_nothing_and_sends_no_reset_link(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer as for a known address
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_bogus_password_reset_key_shows_the_bad_token_page(client, make_user):
    make_user()
    response = client.get("/accounts/password/reset/key/zz-bogus-key/", follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True
    response = client.post(
        response.redirect_chain[-1][0]
        if response.redirect_chain
        else "/accounts/password/reset/key/zz-bogus-key/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code < 500


def test_used_password_reset_link_cannot_be_used_twice(client, make_user):
    user = make_user()
    client.post("/accounts/password/reset/", {"email": user.email})
    path = link_in(mail.outbox[-1], "/accounts/password/reset/key/")
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(path, follow=True)
    assert again.status_code == 200
    assert again.context["token_fail"] is True


def test_bogus_confirmation_key_shows_the_expired_or_invalid_page_and_a_post_is_404(client, db):
    page = client.get("/accounts/confirm-email/not-a-real-key/")
    assert page.status_code == 200
    assert page.context["confirmation"] is None  # allauth's "link expired or invalid" variant
    assert 'href="/accounts/email/"' in page.content.decode()  # where to ask for a new link

    post = client.post("/accounts/confirm-email/not-a-real-key/")
    assert post.status_code == 404
    assert "error.html" in [t.name for t in post.templates]  # the site's own error page


def test_expired_confirmation_link_does_not_confirm(client, signup, settings):
    signup("late@example.org")
    path = link_in(mail.outbox[-1], "/accounts/confirm-email/")
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0

    assert client.get(path).context["confirmation"] is None
    assert client.post(path).status_code == 404
    assert not EmailAddress.objects.get(email="late@example.org").verified


def test_invalid_email_is_a_form_error_and_creates_nobody(client, signup):
    response = signup("not-an-address")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()
    assert not mail.outbox


def test_mismatched_passwords_are_a_form_error(client, signup):
    response = signup("typo@example.org", password2="something-else-entirely")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(email="typo@example.org").exists()


def test_signup_with_a_taken_address_makes_no_second_account_and_tells_the_owner(client, signup, make_user):
    make_user(email="taken@example.org")
    mail.outbox.clear()

    response = signup("taken@example.org")

    # Enumeration is prevented: the visitor sees the same "check your mail" step as for a new address.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-email/")
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.org"]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body  # no confirmation link for a second account


def test_signup_with_a_taken_address_in_other_case_makes_no_second_account(client, signup, make_user):
    make_user(email="taken2@example.org")
    response = signup("TAKEN2@Example.org")
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact="taken2@example.org").count() == 1


def test_overlong_names_at_signup_are_form_errors(client, signup):
    response = signup("long@example.org", first_name="x" * 300)
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert not User.objects.filter(email="long@example.org").exists()


def test_signup_page_asks_for_the_name(client, db):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="first_name"' in html and 'name="last_name"' in html
