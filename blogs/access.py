"""How the gate narrows posts and comments beyond their space (registered through
``doeplein_content_types``; see :class:`doeplein.access.gate.Guard`).

* A post that is not live (a draft, a scheduled or expired post) is for its author and the space's
  managers only.
* A live post is for whoever may see the space, or fewer: logged-in people, the space's members, or
  its managers only. Its author always sees it.
* A comment is seen by whoever may see its post; a hidden one by its author and the space's managers
  only; a deleted one by nobody.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from doeplein.spaces.models import Membership

from .models import Comment, PostVisibility

_NO_ROW = Q(pk__in=[])


def _active(user):
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not getattr(user, "is_deleted", False)
    )


def post_q(user, verdict, prefix=""):
    """The narrowing of posts, relative to a row at ``prefix`` ("" for posts, "post__" for comments)."""
    p = prefix
    if _active(user) and user.is_superuser:
        return Q(**{f"{p}pk__isnull": False})
    now = timezone.now()
    managers = verdict("moderate")
    mine = Q(**{f"{p}author": user}) if _active(user) else _NO_ROW
    live = Q(**{f"{p}live": True}) & (Q(**{f"{p}expire_at__isnull": True}) | Q(**{f"{p}expire_at__gt": now}))
    audience = Q(**{f"{p}visibility": PostVisibility.SPACE})
    if _active(user):
        audience |= Q(**{f"{p}visibility": PostVisibility.LOGGED_IN})
        member = Exists(Membership.objects.filter(user=user, space=OuterRef(f"{p}space")))
        audience |= Q(**{f"{p}visibility": PostVisibility.MEMBERS}) & (member | managers)
        audience |= Q(**{f"{p}visibility": PostVisibility.MANAGERS}) & managers
    return mine | managers | (live & audience)


def post_narrow(user, action, verdict):
    return post_q(user, verdict)


def comment_narrow(user, action, verdict):
    visible_post = post_q(user, verdict, prefix="post__")
    if _active(user) and user.is_superuser:
        return ~Q(state=Comment.State.DELETED)
    shown = Q(state=Comment.State.VISIBLE)
    if _active(user):
        shown |= Q(state=Comment.State.HIDDEN) & (Q(author=user) | verdict("moderate"))
    return visible_post & shown
