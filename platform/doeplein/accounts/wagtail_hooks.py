"""What the accounts app brings to the site search: people, by the fields each searcher may see."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_SEARCH_SOURCES

# One document per audience tier, each holding only the fields that tier may see: the search picks the
# searcher's tier in the query (anonymous: "everyone", logged in: "logged_in", administrators: "only_me",
# which holds every field). A tier the person keeps themself from ("may find me: logged-in users")
# has no document at all.
TIERS = {
    "everyone": ("everyone",),
    "logged_in": ("everyone", "logged_in"),
    "only_me": ("everyone", "logged_in", "only_me"),
}
FINDABLE_TIERS = {"everyone": ("everyone", "logged_in", "only_me"), "logged_in": ("logged_in", "only_me")}


def _field_texts(profile):
    entries = list(profile.entries.all())

    def lines(kind):
        return " ".join(f"{e.title} {e.organisation} {e.description}" for e in entries if e.kind == kind)

    return {
        "organisation": profile.organisation,
        "job_title": profile.job_title,
        "bio": profile.bio,
        "skills": " ".join(t.tag.name for t in profile.tagged_items.all()),
        "themes": " ".join(t.name for t in profile.themes.all()),
        "experience": lines("experience"),
        "education": lines("education"),
    }


def person_documents(user):
    from django.urls import reverse

    from doeplein.plugins import SearchDoc

    profile = getattr(user, "profile", None)
    if profile is None:
        return []
    texts = _field_texts(profile)
    docs = []
    for tier in FINDABLE_TIERS.get(profile.findable_by(), ("only_me",)):
        shown = [texts[f] for f in texts if profile.audience_for(f) in TIERS[tier] and texts[f]]
        job = profile.job_title if profile.audience_for("job_title") in TIERS[tier] else ""
        docs.append(
            SearchDoc(
                object_id=user.pk,
                variant=tier,
                title=user.display_name,
                heading=f"{user.display_name} · {job}" if job else user.display_name,
                body=" ".join(shown),
                url=reverse("accounts:profile", kwargs={"user_id": user.pk}),
                guard="audience",
                audience=tier,
                person_id=user.pk,
                date=profile.updated_at,
            )
        )
    return docs


@hooks.register(HOOK_SEARCH_SOURCES)
def search_sources():
    from doeplein.plugins import SearchSource

    from .models import Profile, ProfileEntry, User

    return [
        SearchSource(
            key="person",
            label=_("People"),
            queryset=lambda: (
                User.objects.filter(is_active=True, is_deleted=False)
                .select_related("profile")
                .prefetch_related("profile__entries", "profile__tagged_items__tag", "profile__themes")
                .order_by("pk")
            ),
            documents=person_documents,
            triggers=(
                (User, lambda u: [u.pk]),
                (Profile, lambda p: [p.user_id]),
                (ProfileEntry, lambda e: [e.profile.user_id] if e.profile_id else []),
            ),
            # Narrowing a field's audience or who may find me holds at once, not after a queue.
            immediate=True,
            order=90,
        )
    ]
