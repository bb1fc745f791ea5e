"""Reading posts and comments, always through the access gate, with query counts that do not grow
with the number of rows shown."""

from django.db.models import Count, Q
from django.http import Http404

from doeplein.access import visible
from doeplein.spaces.models import Membership

from .models import Comment, CommentReaction, Follow, Post

MY_SPACES_MAX = 5000  # "new in my spaces" looks at this many of a person's spaces at most

SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "discussed": ("-comment_count", "-first_published_at", "-pk"),
}


def _live_posts(user):
    return visible(user, Post.objects.filter(live=True))


def _listing(qs, *, theme=None, tag=None, sort="newest"):
    if theme:
        qs = qs.filter(themes__slug=theme)
    if tag:
        qs = qs.filter(tagged_items__tag__slug=tag)
    return (
        qs.select_related("author", "space", "cover")
        .prefetch_related("themes", "tags")
        .order_by(*SORTS.get(sort, SORTS["newest"]))
    )


def post_list(*, user, space=None, author=None, theme=None, tag=None, sort="newest"):
    """Published posts the user may read, in a space or by a person (or everywhere)."""
    qs = _live_posts(user)
    if space is not None:
        qs = qs.filter(space=space)
    if author is not None:
        qs = qs.filter(author=author)
    return _listing(qs, theme=theme, tag=tag, sort=sort)


def new_in_my_spaces(*, user, theme=None, tag=None, sort="newest"):
    """Published posts in the spaces the user is a member of, newest first."""
    if not user.is_authenticated:
        return Post.objects.none()
    # The ids as a list, not a subquery: with them the planner knows which spaces (and, from its
    # statistics, how many posts they hold), and walks the newest-first index instead of sorting all
    # of a busy member's posts (100,000 posts: 1.6 s with the subquery).
    spaces = list(Membership.objects.filter(user=user).values_list("space_id", flat=True)[:MY_SPACES_MAX])
    return _listing(_live_posts(user).filter(space_id__in=spaces), theme=theme, tag=tag, sort=sort)


def drafts_of(*, user):
    if not user.is_authenticated:
        return Post.objects.none()
    return Post.objects.filter(author=user, live=False).select_related("space").order_by("-updated_at")


def post_by_id(*, user, pk):
    """One post the user may see (drafts for their author and the space's managers); else 404."""
    if not str(pk).isdigit() or len(str(pk)) > 18:
        raise Http404
    post = (
        visible(user, Post.objects.filter(pk=pk))
        .select_related("author", "author__profile", "space", "cover")
        .first()
    )
    if post is None:
        raise Http404
    return post


def comments_of(*, user, post):
    """The post's comments the user may see, with replies and reaction counts: a fixed number of
    queries however many there are."""
    qs = (
        visible(user, Comment.objects.filter(post=post))
        .select_related("author")
        .annotate(reaction_total=Count("reactions"))
    )
    comments = list(qs.order_by("created_at", "pk"))
    ids = [c.pk for c in comments]
    counts = {}
    for row in (
        CommentReaction.objects.filter(comment_id__in=ids)
        .values("comment_id", "emoji")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["comment_id"], {})[row["emoji"]] = row["n"]
    mine = {}
    if user.is_authenticated and ids:
        for comment_id, emoji in CommentReaction.objects.filter(comment_id__in=ids, user=user).values_list(
            "comment_id", "emoji"
        ):
            mine.setdefault(comment_id, set()).add(emoji)
    top, replies = [], {}
    for c in comments:
        c.reaction_counts = counts.get(c.pk, {})
        c.my_reactions = mine.get(c.pk, set())
        (replies.setdefault(c.parent_id, []) if c.parent_id else top).append(c)
    for c in top:
        c.reply_list = replies.get(c.pk, [])
    return top


def attachments_of(*, user, post):
    """The post's attachments that ``user`` may see, asked again of their source (through the gate) each
    time: one a reader may not download is not listed. At most MAX_ATTACHMENTS lookups, whatever else
    is on the page."""
    from doeplein.plugins import attachment

    from .actions import MAX_ATTACHMENTS

    found = []
    for key in (post.attachments or [])[:MAX_ATTACHMENTS]:
        item = attachment(user, key)
        if item is not None and item.space_id == post.space_id:
            found.append(item)
    return found


def attachment_choices(*, user, space):
    """What ``user`` may attach to a post in ``space``: every source's offer, as (key, label) pairs."""
    from doeplein.plugins import attachment_sources

    if space is None:
        return []
    return [(a.key, a.name) for source in attachment_sources() for a in source.choices(user, space)]


def related_posts(*, user, post, limit=4):
    """Published posts sharing a theme or a tag with ``post``, then the newest in its space."""
    theme_ids = [t.pk for t in post.themes.all()]
    tag_ids = list(post.tagged_items.values_list("tag_id", flat=True))
    qs = _live_posts(user).exclude(pk=post.pk)
    related = (
        qs.filter(Q(themes__in=theme_ids) | Q(tagged_items__tag_id__in=tag_ids)).distinct()
        if (theme_ids or tag_ids)
        else qs.none()
    )
    found = list(related.select_related("author").order_by("-first_published_at")[:limit])
    if len(found) < limit:
        more = qs.filter(space_id=post.space_id).exclude(pk__in=[p.pk for p in found])
        found += list(more.select_related("author").order_by("-first_published_at")[: limit - len(found)])
    return found


def is_following(*, user, post=None, space=None, person=None):
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, post=post, space=space, person=person).exists()


def public_posts(*, space=None):
    """What the Atom feeds show: posts anyone may read without logging in."""
    from django.contrib.auth.models import AnonymousUser

    return post_list(user=AnonymousUser(), space=space)
