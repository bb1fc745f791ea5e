"""Platform roles: civil servants by confirmed e-mail domain, grants by platform administrators only."""

import pytest
from django.core.exceptions import PermissionDenied

from doeplein.access import can
from doeplein.accounts.actions import CIVIL_SERVANTS, PLATFORM_ADMINISTRATORS, do_grant_role
from doeplein.accounts.models import User

pytestmark = pytest.mark.django_db


def registered_and_confirmed(signup, confirm, email):
    assert signup(email).status_code == 302
    assert confirm().status_code == 302
    return User.objects.get(email=email)


def test_confirming_a_civil_servant_address_grants_the_role(signup, confirm, settings):
    assert "minbzk.nl" in settings.CIVIL_SERVANT_EMAIL_DOMAINS
    user = registered_and_confirmed(signup, confirm, "ambtenaar@minbzk.nl")
    assert user.groups.filter(name=CIVIL_SERVANTS).exists()
    assert can(User.objects.get(pk=user.pk), "open_workspace")


def test_a_subdomain_of_a_civil_servant_domain_counts(signup, confirm):
    user = registered_and_confirmed(signup, confirm, "iemand@dienst.rijksoverheid.nl")
    assert can(User.objects.get(pk=user.pk), "open_workspace")


def test_other_domains_do_not_get_the_role(signup, confirm):
    for email in ("citizen@example.org", "fake@notminbzk.nl", "sneaky@minbzk.nl.example.com"):
        user = registered_and_confirmed(signup, confirm, email)
        assert not user.groups.exists(), email
        assert not can(User.objects.get(pk=user.pk), "open_workspace"), email


def test_the_role_is_not_granted_before_confirmation(signup):
    signup("wacht@minbzk.nl")
    user = User.objects.get(email="wacht@minbzk.nl")
    assert not user.groups.exists()
    assert not can(user, "open_workspace")


def test_platform_admin_can_grant_the_civil_servant_role(make_user):
    admin, person = make_user(role="platform_admin"), make_user()
    assert not can(person, "open_workspace")
    do_grant_role(actor=admin, user=person, role="civil_servant")
    assert can(User.objects.get(pk=person.pk), "open_workspace")


def test_non_admin_cannot_grant_roles(make_user):
    servant, person = make_user(role="civil_servant"), make_user()
    for role in ("civil_servant", "platform_admin"):
        with pytest.raises(PermissionDenied):
            do_grant_role(actor=servant, user=person, role=role)
    person = User.objects.get(pk=person.pk)
    assert not person.groups.exists()
    assert not person.is_superuser
    assert not can(person, "open_workspace")


def test_granting_platform_admin_makes_staff_and_superuser(make_user):
    admin, person = make_user(role="platform_admin"), make_user()
    do_grant_role(actor=admin, user=person, role="platform_admin")
    person.refresh_from_db()
    assert person.is_staff and person.is_superuser
    assert person.groups.filter(name=PLATFORM_ADMINISTRATORS).exists()
    assert can(person, "administer")


def test_unknown_role_is_refused(make_user):
    admin, person = make_user(role="platform_admin"), make_user()
    with pytest.raises(ValueError):
        do_grant_role(actor=admin, user=person, role="emperor")
