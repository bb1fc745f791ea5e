"""A person's start page after log-in, and what the public home page shows.

The core names no plugin: plugins add "what's new" through ``doeplein_start_page_items`` and the
spaces the home page features through ``doeplein_featured_spaces`` (see ``doeplein.plugins``)."""

from django.utils import timezone

from doeplein.plugins import HOOK_FEATURED_SPACES, HOOK_START_PAGE_ITEMS, NewsItem, collect

# What the feeds never tell: sign-ups, e-mail confirmations, invitations and private bookkeeping.
PRIVATE_VERBS = (
    "account.registered",
    "account.confirmed",
    "account.deleted",
    "account.role_granted",
    "profile.updated",
    "space.invited",
    "space.join_requested",
    "space.request_rejected",
    "space.member_removed",
    "space.role_changed",
)


def space_url(space):
    specific = space.specific
    return specific.get_absolute_url() if hasattr(specific, "get_absolute_url") else ""


def public_feed(*, user, space_ids=None, limit=10):
    """Recent activity ``user`` may see, without sign-ups and invitations, each line once: the same
    person doing the same thing in the same place is told only the latest time."""
    from doeplein.activity.selectors import activity_feed

    qs = activity_feed(user=user).exclude(verb__in=PRIVATE_VERBS)
    if space_ids is not None:
        qs = qs.filter(space_id__in=space_ids)
    seen, lines = set(), []
    for activity in qs[: limit * 5]:
        key = (activity.actor_id, activity.verb, activity.space_id, activity.target_label)
        if key in seen:
            continue
        seen.add(key)
        # "Open koffie — Open koffie": the target and the place are often the same thing; say it once.
        activity.show_space = bool(activity.space and activity.space.name != activity.target_label)
        lines.append(activity)
        if len(lines) == limit:
            break
    return lines


def featured_spaces(limit=6):
    spaces = []
    for source in sorted(collect(HOOK_FEATURED_SPACES), key=lambda s: s.order):
        spaces.extend(source.spaces(limit))
    return spaces[:limit]


def theme_links(themes):
    """(theme, url) pairs: each theme links to the first directory that can filter by it."""
    sources = [s for s in sorted(collect(HOOK_FEATURED_SPACES), key=lambda s: s.order) if s.theme_url]
    return [(theme, sources[0].theme_url(theme.slug) if sources else "") for theme in themes]


def start_context(request):
    from doeplein.discussion.models import Room
    from doeplein.discussion.selectors import unread_counts
    from doeplein.notifications.selectors import notification_list
    from doeplein.spaces.models import Invitation, JoinRequest, Membership, Role

    user = request.user
    memberships = list(
        Membership.objects.filter(user=user, space__is_archived=False)
        .select_related("space", "space__parent")
        .order_by("-space__last_activity_at", "space__name")
    )
    spaces = [m.space for m in memberships]
    rooms = list(Room.objects.filter(space__in=spaces, target_type__isnull=True))
    counts = unread_counts(user=user, rooms=rooms)
    room_of = {room.space_id: room for room in rooms}
    my_spaces = [
        {
            "space": m.space,
            "role": m.get_role_display(),
            "url": space_url(m.space),
            "room": room_of.get(m.space_id),
            "unread": counts.get(getattr(room_of.get(m.space_id), "pk", None), 0),
        }
        for m in memberships
    ]
    managed = [m.space for m in memberships if m.role >= Role.COMMUNITY_MANAGER]
    requests = list(
        JoinRequest.objects.filter(space__in=managed, status=JoinRequest.Status.PENDING)
        .select_related("user", "space")
        .order_by("-created_at")[:20]
    )
    now = timezone.now()
    open_invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    # Invitations addressed to this person: they may see the space's name (the invitation says it).
    invitations_for_me = list(open_invitations.filter(user=user).select_related("space", "invited_by")[:10])
    news = []
    for source in sorted(collect(HOOK_START_PAGE_ITEMS), key=lambda s: s.order):
        news.extend(item for item in source.items(user, spaces) if isinstance(item, NewsItem))
    news.sort(key=lambda item: item.when, reverse=True)
    return {
        "my_spaces": my_spaces,
        "join_requests": requests,
        "invitations_for_me": invitations_for_me,
        "open_invitation_count": open_invitations.filter(space__in=managed).count(),
        "news": news[:10],
        "activities": public_feed(user=user, space_ids=[s.pk for s in spaces], limit=10),
        "notifications": list(notification_list(user=user)[:6]),
        "unread_total": sum(entry["unread"] for entry in my_spaces),
    }
