"""Reading the activity stream, always through the access gate."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from doeplein.access import visible

from .models import Activity


def activity_feed(*, user, space=None, actor=None) -> QuerySet:
    """What ``user`` may see, newest first. Narrow to one space or one actor."""
    qs = Activity.objects.all()
    if space is not None:
        qs = qs.filter(space=space)
    if actor is not None:
        qs = qs.filter(actor=actor)
    return visible(user, qs).select_related("actor", "space").order_by("-created_at", "-pk")


def activity_page(*, user, page=1, per_page=25, **filters) -> Page:
    return Paginator(activity_feed(user=user, **filters), per_page).get_page(page)
