"""Reading workspaces, always through the access gate, with query counts that do not grow with the data."""

from django.db.models import Count, Q, QuerySet

from doeplein.access import discoverable
from doeplein.home.models import Theme

from .models import Workspace

SORTS = {
    "name": ("name", "pk"),
    "newest": ("-created_at", "-pk"),
    "active": ("-last_activity_at", "-pk"),
}


def workspace_list(*, user, theme=None, q=None, mine=False, sort="name", include_archived=False) -> QuerySet:
    """The directory: what ``user`` may find (members-only ones too, to ask to join).
    Secret workspaces of others appear nowhere: not in lists, search or counts."""
    qs = discoverable(user, Workspace.objects.all())
    if not include_archived and not mine:
        qs = qs.filter(is_archived=False)
    if theme:
        qs = qs.filter(themes__slug=theme)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(tags__name__iexact=q)
        ).distinct()
    if mine:
        qs = qs.filter(memberships__user=user) if user.is_authenticated else qs.none()
    return qs.order_by(*SORTS.get(sort, SORTS["name"])).prefetch_related("themes")


def theme_counts(*, user) -> list:
    """Themes with the number of workspaces ``user`` may see in each (secret ones not counted)."""
    ids = workspace_list(user=user).values("pk")
    through = Workspace.themes.through
    counts = dict(
        through.objects.filter(workspace_id__in=ids).values_list("theme_id").annotate(n=Count("workspace_id"))
    )
    return [(theme, counts.get(theme.pk, 0)) for theme in Theme.objects.order_by("name")]


def workspace_by_slug(*, user, slug, action="discover") -> Workspace:
    from doeplein.access import get_object_or_404

    return get_object_or_404(
        user, Workspace.objects.prefetch_related("themes", "tagged_items__tag"), action, slug=slug
    )
