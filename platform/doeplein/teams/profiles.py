"""Building activity profiles and the interaction graph.

Privacy: profiles are **precomputed from what every logged-in user may see**, and only logged-in users
may ask the expert finder or request teams. So one profile serves every asker, and nothing in it (the
reasons shown: counts per theme, kind and space name) reveals what the asker may not read:

* activity counts only inside spaces that are public or open to logged-in users, and whose parent is
  too (members-only and secret spaces never feed a profile, nor does their co-membership);
* records outside any space count only when their source marks them ``public``;
* declared fields count only when their audience is "everyone" or "logged-in users";
* only people with the "I may be suggested" switch on get a profile, and every search filters on the
  switch at query time, so switching it off removes a person from results at once.

Recency: a record of age ``t`` days weighs ``0.5 ** (t / HALF_LIFE_DAYS)``.

Interaction graph, strengths in reply-equivalents (each decayed by age like records):

=====================  =========================================================================
reply                  1.0  (a message replying to someone's message, a comment on their post)
mention                1.0  (naming someone with @)
co-membership          2 / (members − 1) for each pair in an open space of at most
                       ``SMALL_SPACE`` members (a small space binds strongly, a large one hardly)
plugin edges           their own weight (co-editing a page, comments …)
=====================  =========================================================================

The team algorithms take ``1 / strength`` as the communication cost between two people.
"""

import math
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from doeplein.plugins import HOOK_PROFILE_SOURCES, ActivityRecord, InteractionEdge, ProfileSource, collect

HALF_LIFE_DAYS = 180
SMALL_SPACE = 12
MAX_DOCUMENTS = 200
OPEN = ("public", "logged_in")


def decay(at, now=None):
    if at is None:
        return 1.0
    now = now or timezone.now()
    age = max((now - at).total_seconds() / 86400, 0.0)
    return 0.5 ** (age / HALF_LIFE_DAYS)


def open_spaces():
    """{space id: name} of spaces every logged-in user may see (open, and inside an open parent)."""
    from doeplein.spaces.models import Space

    rows = Space.objects.filter(visibility__in=OPEN).filter(
        Q(parent__isnull=True) | Q(parent__visibility__in=OPEN)
    )
    return dict(rows.values_list("pk", "name"))


def suggestible_ids(ids=None):
    from doeplein.accounts.models import User

    qs = User.objects.filter(is_active=True, is_deleted=False, profile__suggestible=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return set(qs.values_list("pk", flat=True))


# --- the core's own source: live discussion and space memberships -------------------------------
def _core_records(person_ids):
    from doeplein.discussion.models import Message
    from doeplein.spaces.models import Membership

    messages = Message.objects.filter(state="visible", author__isnull=False).select_related("room")
    memberships = Membership.objects.all()
    if person_ids is not None:
        messages = messages.filter(author_id__in=person_ids)
        memberships = memberships.filter(user_id__in=person_ids)
    for m in messages.only("author_id", "body", "created_at", "room__space_id").iterator(chunk_size=2000):
        yield ActivityRecord(m.author_id, "message", m.body, (), m.room.space_id, m.created_at)
    for ms in memberships.only("user_id", "space_id", "created_at").iterator(chunk_size=2000):
        yield ActivityRecord(ms.user_id, "membership", "", (), ms.space_id, ms.created_at)


def _core_edges(person_ids):
    from doeplein.discussion.models import Mention, Message
    from doeplein.spaces.models import Membership, Space

    replies = Message.objects.filter(state="visible", reply_to__isnull=False, author__isnull=False)
    mentions = Mention.objects.filter(message__state="visible", message__author__isnull=False)
    if person_ids is not None:
        replies = replies.filter(Q(author_id__in=person_ids) | Q(reply_to__author_id__in=person_ids))
        mentions = mentions.filter(Q(user_id__in=person_ids) | Q(message__author_id__in=person_ids))
    for a, b, space, at in replies.values_list(
        "author_id", "reply_to__author_id", "room__space_id", "created_at"
    ):
        if b is not None and a != b:
            yield InteractionEdge(a, b, "reply", 1.0, space, at)
    for a, b, space, at in mentions.values_list(
        "message__author_id", "user_id", "message__room__space_id", "message__created_at"
    ):
        if a != b:
            yield InteractionEdge(a, b, "mention", 1.0, space, at)
    small = Space.objects.filter(member_count__gt=1, member_count__lte=SMALL_SPACE)
    if person_ids is not None:
        small = small.filter(memberships__user_id__in=person_ids).distinct()
    members = defaultdict(list)
    for space_id, user_id in Membership.objects.filter(space__in=small).values_list("space_id", "user_id"):
        members[space_id].append(user_id)
    for space_id, people in members.items():
        if len(people) < 2:
            continue
        w = 2.0 / (len(people) - 1)
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                yield InteractionEdge(a, b, "co_member", w, space_id, None)


CORE_SOURCE = ProfileSource(key="core", records=_core_records, edges=_core_edges)


def sources():
    return [CORE_SOURCE, *collect(HOOK_PROFILE_SOURCES)]


# --- building ----------------------------------------------------------------------------------
def _declared(user):
    """Declared fields every logged-in user may see: (skills, themes, text)."""
    from doeplein.accounts.models import Audience

    profile = user.profile
    seen = (Audience.EVERYONE, Audience.LOGGED_IN)
    skills = list(profile.skills.names()) if profile.audience_for("skills") in seen else []
    themes = (
        list(profile.themes.values_list("name", flat=True)) if profile.audience_for("themes") in seen else []
    )
    parts = [" ".join(skills), " ".join(themes)]
    for entry in profile.entries.all():
        if profile.audience_for(entry.kind) in seen:
            parts.append(f"{entry.title} {entry.organisation} {entry.description}")
    if profile.audience_for("bio") in seen:
        parts.append(profile.bio)
    if profile.audience_for("job_title") in seen:
        parts.append(profile.job_title)
    return skills, themes, " ".join(p for p in parts if p)


def build_profiles(person_ids=None, progress=None):
    """Rebuild the profiles of ``person_ids`` (None: everyone); people who may not be suggested lose
    theirs. Idempotent: the same activity gives the same profile. Returns how many were built."""
    from doeplein.accounts.models import User

    from .models import ExpertProfile

    allowed = suggestible_ids(person_ids)
    gone = ExpertProfile.objects.exclude(user_id__in=allowed)
    if person_ids is not None:
        gone = gone.filter(user_id__in=list(person_ids))
    gone.delete()
    if not allowed:
        return 0
    spaces = open_spaces()
    now = timezone.now()
    docs = defaultdict(list)
    stats = defaultdict(lambda: {"kinds": {}, "spaces": {}, "themes": {}})
    for source in sources():
        if source.records is None:
            continue
        for r in source.records(allowed if person_ids is not None else None):
            if r.person_id not in allowed:
                continue
            if r.space_id is not None and r.space_id not in spaces:
                continue
            if r.space_id is None and not r.public:
                continue
            w = decay(r.at, now) * source.weight
            st = stats[r.person_id]
            st["kinds"][r.kind] = st["kinds"].get(r.kind, 0) + 1
            if r.space_id is not None:
                key = str(r.space_id)
                st["spaces"][key] = st["spaces"].get(key, 0) + 1
            for theme in r.themes:
                st["themes"][theme] = st["themes"].get(theme, 0) + 1
            text = " ".join([r.text or "", " ".join(r.themes), spaces.get(r.space_id, "")]).strip()
            if text:
                docs[r.person_id].append(
                    {"text": text[:4000], "weight": w, "kind": r.kind, "space": r.space_id}
                )
    users = User.objects.filter(pk__in=allowed).select_related("profile").prefetch_related("profile__entries")
    built = 0
    for user in users.iterator(chunk_size=500):
        skills, themes, declared = _declared(user)
        mine = sorted(docs.get(user.pk, []), key=lambda d: -d["weight"])[:MAX_DOCUMENTS]
        st = stats.get(user.pk, {"kinds": {}, "spaces": {}, "themes": {}})
        top_themes = sorted(st["themes"], key=lambda t: -st["themes"][t])[:5]
        ExpertProfile.objects.update_or_create(
            user=user,
            defaults={
                "document": " ".join([declared] + [d["text"] for d in mine])[:100_000],
                "documents": mine,
                "skills": list(dict.fromkeys([*skills, *themes, *top_themes])),
                "stats": {**st, "declared_skills": skills, "declared_themes": themes},
                "activity_weight": float(sum(d["weight"] for d in mine)),
            },
        )
        built += 1
        if progress:
            progress(1)
    return built


def build_graph():
    """Rebuild the interaction graph between people who may be suggested."""
    from .models import Interaction

    allowed = suggestible_ids()
    spaces = open_spaces()
    now = timezone.now()
    strength = defaultdict(float)
    kinds = defaultdict(dict)
    for source in sources():
        if source.edges is None:
            continue
        for e in source.edges(None):
            if e.a == e.b or e.a not in allowed or e.b not in allowed:
                continue
            if e.space_id is not None and e.space_id not in spaces:
                continue
            pair = (min(e.a, e.b), max(e.a, e.b))
            strength[pair] += e.weight * decay(e.at, now) * source.weight
            kinds[pair][e.kind] = kinds[pair].get(e.kind, 0) + 1
    Interaction.objects.all().delete()
    Interaction.objects.bulk_create(
        [
            Interaction(a_id=a, b_id=b, strength=s, kinds=kinds[(a, b)])
            for (a, b), s in strength.items()
            if s > 0
        ],
        batch_size=2000,
    )
    return len(strength)


def forget(user_id):
    """Remove a person from profiles and graph (switch off, account deleted)."""
    from .models import ExpertProfile, Interaction

    ExpertProfile.objects.filter(user_id=user_id).delete()
    Interaction.objects.filter(Q(a_id=user_id) | Q(b_id=user_id)).delete()


def distance(strength):
    return 1.0 / max(strength, 1e-6) if math.isfinite(strength) else math.inf
