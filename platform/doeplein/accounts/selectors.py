"""Reading profiles, field by field through the gate's audience rule."""

from django.db.models import QuerySet
from django.http import Http404

from doeplein.access import audience_allows

from .models import Profile, User


def profile_for(*, user_id) -> Profile:
    """The profile of an active, not deleted person; 404 otherwise."""
    profile = (
        Profile.objects.select_related("user")
        .prefetch_related("themes", "entries", "tagged_items__tag")
        # user__pk, not user_id: the user's own id field checks the range, so an id too large for the
        # column is simply not found (a foreign key passes it on and SQLite raises OverflowError).
        .filter(user__pk=user_id, user__is_active=True, user__is_deleted=False)
        .first()
    )
    if profile is None:
        raise Http404
    return profile


def profile_view(*, viewer, profile) -> dict:
    """What ``viewer`` may see of ``profile``: a dict with the visible fields only."""
    owner = profile.user
    view = {
        "id": owner.pk,
        "name": owner.display_name,
        "is_me": viewer.is_authenticated and viewer.pk == owner.pk,
    }
    entries = list(profile.entries.all())
    values = {
        "organisation": profile.organisation,
        "job_title": profile.job_title,
        "avatar": profile.avatar.url if profile.avatar else "",
        "bio": profile.bio,
        "skills": sorted(t.tag.name for t in profile.tagged_items.all()),
        "themes": [t.name for t in profile.themes.all()],
        "experience": [e for e in entries if e.kind == "experience"],
        "education": [e for e in entries if e.kind == "education"],
    }
    for name in Profile.PRIVATE_FIELDS:
        if audience_allows(viewer, owner, profile.audience_for(name)):
            view[name] = values[name]
    return view


def people(*, viewer) -> QuerySet:
    """People others may find: active and not deleted. Field visibility applies per profile."""
    return (
        User.objects.filter(is_active=True, is_deleted=False)
        .select_related("profile")
        .order_by("first_name", "pk")
    )
