"""People are found by the fields the searcher may see, and stop being found at once when they narrow."""

import pytest
from django.contrib.auth.models import AnonymousUser

pytestmark = pytest.mark.usefixtures("needs_postgres")


@pytest.fixture
def expert(make_user, index):
    from doeplein.accounts.models import Profile

    user = make_user(first_name="Wim", last_name="Waterman")
    Profile.objects.filter(user=user).update(
        bio="Ik ben waterbouwkundige en werk aan kustverdediging.",
        organisation="Rijkswaterstaat",
        audience={"bio": "logged_in", "organisation": "everyone"},
    )
    index(sources=["person"])
    return user


def update(user, **audience):
    from doeplein.accounts.actions import do_update_profile
    from doeplein.accounts.models import Profile

    profile = Profile.objects.get(user=user)
    current = {f: profile.audience_for(f) for f in Profile.PRIVATE_FIELDS}
    current[Profile.FINDABLE] = profile.findable_by()
    do_update_profile(user=user, profile=profile, data={}, audience={**current, **audience})


def test_a_field_is_found_only_by_those_who_may_see_it(expert, find, make_user):
    assert find(AnonymousUser(), "waterbouwkundige").total == 0
    assert find(AnonymousUser(), "Rijkswaterstaat").total == 1
    page = find(make_user(), "waterbouwkundige")
    assert [r.heading for r in page.results] == ["Wim Waterman"]
    assert "<mark>waterbouwkundige</mark>" in page.results[0].snippet


def test_narrowing_a_field_takes_effect_at_once(expert, find, make_user, django_capture_on_commit_callbacks):
    searcher = make_user()
    assert find(searcher, "waterbouwkundige").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        update(expert, bio="only_me")
    assert find(searcher, "waterbouwkundige").total == 0
    assert find(searcher, "Waterman").total == 1  # still found by name
    # Platform administrators see every field.
    from doeplein.accounts.models import User

    admin = User.objects.create_superuser(email="root@example.org", password="x")
    assert find(admin, "waterbouwkundige").total == 1


def test_who_may_find_me_is_honoured_at_once(expert, find, make_user, django_capture_on_commit_callbacks):
    searcher = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        update(expert, search="logged_in")
    assert find(AnonymousUser(), "Waterman").total == 0
    assert find(searcher, "Waterman").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        update(expert, search="only_me")
    assert find(searcher, "Waterman").total == 0
    assert find(searcher, "Rijkswaterstaat").total == 0


def test_a_person_who_leaves_a_space_is_no_longer_found_through_it(expert, find, make_space, make_user):
    from doeplein.spaces.actions import do_leave
    from doeplein.spaces.models import Role

    colleague = make_user()
    space = make_space("public", members={expert: Role.MEMBER, colleague: Role.OWNER})
    assert find(colleague, "Waterman", space=space.pk).total == 1
    do_leave(user=expert, space=space)
    assert find(colleague, "Waterman", space=space.pk).total == 0
    assert find(colleague, "Waterman").total == 1


def test_closed_accounts_are_not_found(expert, find, make_user, django_capture_on_commit_callbacks):
    from doeplein.accounts.actions import do_delete_account

    with django_capture_on_commit_callbacks(execute=True):
        do_delete_account(user=expert)
    assert find(make_user(), "Waterman").total == 0
