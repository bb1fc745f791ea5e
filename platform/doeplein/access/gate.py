"""The access gate's rules. See the package docstring for the two questions it answers.

Rules, for a space S (and everything guarded through S):

* **view** — public: everyone; logged-in: any logged-in user; members and secret: members of S of any
  role (guests too), and community managers or owners of S's parent workspace. A space inside a
  parent is visible only to those who may see the parent.
* **contribute** — view, S not archived, and role member or higher.
* **change** — the object's author while they may contribute, or whoever may moderate. Changing a
  space itself is managing it.
* **moderate** — view, S not archived, and role community manager or higher (also inherited from
  the parent's community managers and owners).
* **discover** (spaces only) — see S's card (name, description, how to join) and ask to join: whoever
  may view S, plus any logged-in user when S is members-only. Secret spaces are never discoverable
  by outsiders; a space inside a parent is discoverable only to those who may view the parent.
* **manage** — owner of S (archived spaces too, so that they can be restored).
* **view** of rows with an ``audience`` (activity): inside a space, a row whose audience is ``only_me``
  is seen by its owner (and platform administrators) only.

A django-guardian grant of ``view_space``, ``contribute_space``, ``moderate_space`` or
``manage_space`` on S (to the user or one of their groups) gives that action as if by role: it counts
as the least role that allows it (guest, member, community manager, owner), so a moderate grant also
lets one see and contribute. A grant counts on S only, not on the spaces inside it.
Platform administrators (superusers) may do everything. Deleted and inactive accounts are anonymous.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404

# The gate's one import from the platform: the space data beneath it (see docs/architecture.md).
from doeplein.spaces.models import (
    Membership,
    Role,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
    Visibility,
)

_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1  # a 64-bit integer column's range
ACTIONS = ("view", "contribute", "change", "moderate", "manage")
PLATFORM_ACTIONS = {
    "open_workspace": "accounts.open_workspace",
    "administer": None,  # superusers only
}
# The grants that allow each action: a grant counts as the least role that allows its own action, and
# roles are ordered, so a grant for a stronger action allows the weaker ones too.
_GRANTS = {
    "view": ("view_space", "contribute_space", "moderate_space", "manage_space"),
    "contribute": ("contribute_space", "moderate_space", "manage_space"),
    "moderate": ("moderate_space", "manage_space"),
    "manage": ("manage_space",),
}


@dataclass(frozen=True)
class Guard:
    """How a model's rows relate to the space that guards them.

    ``space``: the path to the guarding space ("" for :class:`Space` itself, "space" for a model with a
    ``space`` foreign key). ``audience``: a field with an :class:`~doeplein.accounts.models.Audience`
    value that decides for rows without a space. ``owner``: the author's foreign key.
    """

    space: str
    audience: str | None = None
    owner: str | None = None
    # ``narrow(user, action, verdict)`` returns a Q that rows must also meet: content whose own state
    # (a draft, a post for members only) allows fewer people than its space does. ``verdict(action)``
    # is the gate's own Q, relative to the row, for that action on the row's space. Never wider.
    narrow: object = None


_guards = {}


class AlreadyGuarded(Exception):
    """A model was registered with the gate twice (two plugins, or a hook and a ready(), claim it)."""


def guard(model, *, space, audience=None, owner=None, narrow=None):
    """Register a model with the gate. Core apps call this from ``AppConfig.ready``; plugins declare
    their content types through the ``doeplein_content_types`` hook, which ``doeplein.spaces`` hands
    to this function once every app is loaded. Registering the same model twice is an error."""
    if model in _guards:
        raise AlreadyGuarded(f"{model.__name__} is already guarded by the gate ({_guards[model]}).")
    _guards[model] = Guard(space=space, audience=audience, owner=owner, narrow=narrow)
    return model


def is_guarded(model):
    return model in _guards


def guarded_models():
    return dict(_guards)


guard(Space, space="")


def _guard_for(model):
    for klass in model.__mro__:
        if klass in _guards:
            return _guards[klass]
    raise TypeError(f"{model.__name__} is not guarded: call doeplein.access.guard() for it.")


def _active(user):
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not getattr(user, "is_deleted", False)
    )


# --- SQL building blocks -----------------------------------------------------------------------------
# "Every row" must be a real condition: an empty Q() vanishes when OR-ed (Q() | x is x), which would
# take a platform administrator's "everything" away as soon as another condition is added to it.
_EVERY_ROW = Q(pk__isnull=False)
_NO_ROW = Q(pk__in=[])


def _prefix(path):
    return f"{path}__" if path else ""


def _ref(path):
    return path or "pk"


def _has_role(user, space_ref, parent_ref, min_role, inherit=True):
    own = Exists(Membership.objects.filter(user=user, space=OuterRef(space_ref), role__gte=min_role))
    if inherit and parent_ref and min_role <= Role.COMMUNITY_MANAGER:
        # Community managers and owners of the parent oversee what lives inside it.
        return own | Exists(
            Membership.objects.filter(user=user, space=OuterRef(parent_ref), role__gte=Role.COMMUNITY_MANAGER)
        )
    return own


def _has_grant(user, space_ref, action):
    codenames = _GRANTS[action]
    return Exists(
        SpaceUserObjectPermission.objects.filter(
            user=user, permission__codename__in=codenames, content_object=OuterRef(space_ref)
        )
    ) | Exists(
        SpaceGroupObjectPermission.objects.filter(
            group__user=user, permission__codename__in=codenames, content_object=OuterRef(space_ref)
        )
    )


def _view_one(user, path, parent_ref):
    """May the user see the space at ``path`` itself (its parent aside)?"""
    p = _prefix(path)
    open_to = [Visibility.PUBLIC] + ([Visibility.LOGGED_IN] if _active(user) else [])
    q = Q(**{f"{p}visibility__in": open_to})
    if _active(user):
        q |= _has_role(user, _ref(path), parent_ref, Role.GUEST) | _has_grant(user, _ref(path), "view")
    return q


def _space_view_q(user, path):
    p = _prefix(path)
    parent_path = f"{p}parent"
    q = _view_one(user, path, parent_path)
    # A space inside a parent is visible only to those who may see the parent.
    return q & (Q(**{f"{parent_path}__isnull": True}) | _view_one(user, parent_path, None))


def _space_discover_q(user, path):
    """May the user know the space exists and see its card (name, description, how to join)?

    Everything the user may view, plus members-only spaces for logged-in users, so that they can
    find them and ask to join. Secret spaces stay invisible; spaces inside a parent are discoverable
    only to those who may view the parent.
    """
    if _active(user) and user.is_superuser:
        return _EVERY_ROW
    p = _prefix(path)
    parent_path = f"{p}parent"
    q = _view_one(user, path, parent_path)
    if _active(user):
        q |= Q(**{f"{p}visibility": Visibility.MEMBERS})
    return q & (Q(**{f"{parent_path}__isnull": True}) | _view_one(user, parent_path, None))


def _space_action_q(user, action, path):
    if not _active(user):
        return _space_view_q(user, path) if action == "view" else _NO_ROW
    if user.is_superuser:
        return _EVERY_ROW
    if action == "view":
        return _space_view_q(user, path)
    p = _prefix(path)
    parent_ref = f"{p}parent"
    if action == "manage":
        return _has_role(user, _ref(path), parent_ref, Role.OWNER, inherit=False) | _has_grant(
            user, _ref(path), "manage"
        )
    min_role = {"contribute": Role.MEMBER, "moderate": Role.COMMUNITY_MANAGER}[action]
    by_role = _has_role(user, _ref(path), parent_ref, min_role) | _has_grant(user, _ref(path), action)
    return _space_view_q(user, path) & Q(**{f"{p}is_archived": False}) & by_role


def _action_q(user, action, model):
    """The Q object, relative to ``model``, for "user may do action on this row"."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; the gate knows {', '.join(ACTIONS)}.")
    rule = _guard_for(model)
    q = _action_q_unnarrowed(user, action, rule)
    if rule.narrow is not None:
        q &= rule.narrow(user, action, lambda a: _space_action_q(user, a, rule.space))
    return q


def _action_q_unnarrowed(user, action, rule):
    if action == "change":
        if rule.space == "":  # changing a space is managing it
            return _space_action_q(user, "manage", "")
        q = _space_action_q(user, "moderate", rule.space)
        if rule.owner and _active(user):
            q |= Q(**{rule.owner: user}) & _space_action_q(user, "contribute", rule.space)
        return q
    q = _space_action_q(user, action, rule.space)
    if rule.audience and rule.space:
        # Rows without a space are decided by their own audience (and their owner).
        q = Q(**{f"{rule.space}__isnull": False}) & q
        if action == "view":
            # A row its owner kept to themselves ("only_me": an invitation, a rejected request) stays
            # theirs inside a space too, however many may see the space.
            q &= ~Q(**{rule.audience: "only_me"}) | _audience_q(user, action, rule)
        q |= Q(**{f"{rule.space}__isnull": True}) & _audience_q(user, action, rule)
    return q


def _audience_q(user, action, rule):
    if _active(user) and user.is_superuser:
        return _EVERY_ROW
    mine = Q(**{rule.owner: user}) if (rule.owner and _active(user)) else _NO_ROW
    if action != "view":
        return mine
    open_to = ["everyone"] + (["logged_in"] if _active(user) else [])
    return Q(**{f"{rule.audience}__in": open_to}) | mine


# --- The public questions ------------------------------------------------------------------------------
def filter_for(user, action, queryset):
    """Rows of ``queryset`` on which ``user`` may do ``action``, as one SQL filter."""
    return queryset.filter(_action_q(user, action, queryset.model))


def discoverable(user, queryset):
    """Spaces in ``queryset`` whose card ``user`` may see (directories, "ask to join")."""
    if _guard_for(queryset.model).space != "":
        raise TypeError("Only spaces are discoverable; use visible() for content.")
    return queryset.filter(_space_discover_q(user, ""))


def visible(user, queryset):
    """Rows of ``queryset`` that ``user`` may see."""
    return filter_for(user, "view", queryset)


# --- One object at a time, in Python ---------------------------------------------------------------------
SPACE_ACTIONS = ("view", "contribute", "moderate", "manage", "discover")


def space_decisions(user, space_id) -> dict[str, bool]:
    """Everything ``user`` may do on one space, from its row, the person's roles and their grants:
    three small queries, the same rules as the SQL filters above. ``tests/doeplein/access`` checks the
    two agree for every role, action and visibility."""
    active = _active(user)
    space = Space.objects.filter(pk=space_id)
    if active:
        # The person's role here and in the parent come with the row: one query.
        def role(ref):
            return Subquery(Membership.objects.filter(user=user, space=OuterRef(ref)).values("role")[:1])

        space = space.annotate(own_role=role("pk"), parent_role=role("parent"))
    row = space.values(
        "visibility",
        "is_archived",
        "parent_id",
        "parent__visibility",
        *(("own_role", "parent_role") if active else ()),
    ).first()
    if row is None:
        return dict.fromkeys(SPACE_ACTIONS, False)
    if active and user.is_superuser:
        return dict.fromkeys(SPACE_ACTIONS, True)
    parent_id = row["parent_id"]
    ids = [space_id] + ([parent_id] if parent_id else [])
    grants = {space_id: set(), parent_id: set()}
    if active:
        # Grants to the person and to their groups, in one query.
        by_user = SpaceUserObjectPermission.objects.filter(user=user, content_object_id__in=ids)
        by_group = SpaceGroupObjectPermission.objects.filter(group__user=user, content_object_id__in=ids)
        for sid, codename in by_user.values_list("content_object_id", "permission__codename").union(
            by_group.values_list("content_object_id", "permission__codename")
        ):
            grants[sid].add(codename)
    roles = {space_id: row.get("own_role") or 0, parent_id: row.get("parent_role") or 0}
    own, parent_role = roles.get(space_id, 0), roles.get(parent_id, 0)
    open_to = {Visibility.PUBLIC} | ({Visibility.LOGGED_IN} if active else set())

    def granted(sid, action):
        return bool(grants.get(sid, set()) & set(_GRANTS[action]))

    def by_role(min_role, inherit=True):
        if own >= min_role:
            return True
        return (
            inherit
            and parent_id is not None
            and min_role <= Role.COMMUNITY_MANAGER
            and parent_role >= Role.COMMUNITY_MANAGER
        )

    view_self = row["visibility"] in open_to or (
        active and (by_role(Role.GUEST) or granted(space_id, "view"))
    )
    view_parent = (
        parent_id is None
        or row["parent__visibility"] in open_to
        or (active and (parent_role >= Role.GUEST or granted(parent_id, "view")))
    )
    view = view_self and view_parent
    if not active:
        return {
            "view": view,
            "contribute": False,
            "moderate": False,
            "manage": False,
            "discover": view_parent and (view_self),
        }
    writable = view and not row["is_archived"]
    return {
        "view": view,
        "contribute": writable and (by_role(Role.MEMBER) or granted(space_id, "contribute")),
        "moderate": writable and (by_role(Role.COMMUNITY_MANAGER) or granted(space_id, "moderate")),
        "manage": own >= Role.OWNER or granted(space_id, "manage"),
        "discover": view_parent and (view_self or row["visibility"] == Visibility.MEMBERS),
    }


def _can_in_python(user, action, obj):
    """``can`` for objects guarded through a space without an audience rule (spaces, rooms …), or
    None where only the SQL filter knows (rows with an audience or a narrowing rule)."""
    rule = _guard_for(type(obj))
    if rule.audience or rule.narrow is not None:
        return None
    if rule.space == "":
        space_id = obj.pk
    else:
        space_id = _follow_id(obj, rule.space)
        if space_id is None:
            return False
    decisions = space_decisions(user, space_id)
    if action == "change":
        if rule.space == "":
            return decisions["manage"]
        if decisions["moderate"]:
            return True
        owner_id = getattr(obj, f"{rule.owner}_id", None) if rule.owner else None
        return bool(owner_id) and _active(user) and owner_id == user.pk and decisions["contribute"]
    if action == "discover" and rule.space != "":
        raise TypeError("Only spaces are discoverable; use visible() for content.")
    return decisions[action]


def _follow_id(obj, path):
    """The id at the end of a relation path ("space", "room__space"), following loaded objects."""
    *hops, last = path.split("__")
    for part in hops:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def can(user, action, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj``? Platform actions ("open_workspace") take no object."""
    if action in PLATFORM_ACTIONS:
        if not _active(user):
            return False
        if user.is_superuser:
            return True
        permission = PLATFORM_ACTIONS[action]
        return bool(permission) and user.has_perm(permission)
    if obj is None or obj.pk is None:
        return False
    if action not in ACTIONS and action != "discover":
        raise ValueError(f"Unknown action {action!r}; the gate knows {', '.join(ACTIONS)}.")
    decided = _can_in_python(user, action, obj)
    if decided is not None:
        return decided
    # Rows with an audience or a narrowing rule: the same SQL as the list filter.
    model = type(obj)
    return filter_for(user, action, model._base_manager.filter(pk=obj.pk)).exists()


def decide(user, space) -> dict[str, bool]:
    """Everything ``user`` may do on ``space`` (a space or its id): ``{action: bool}`` for
    view, contribute, moderate, manage and discover. The public name of :func:`space_decisions`."""
    return space_decisions(user, getattr(space, "pk", space))


def hidden_from(user, obj) -> bool:
    """Would a "no" reveal that ``obj`` exists? True inside a secret space the user may not see:
    such a refusal must look exactly like "not found" (404, close code 4404)."""
    rule = _guard_for(type(obj))
    space = obj if rule.space == "" else follow(obj, rule.space)
    if space is None:
        return not can(user, "view", obj)
    chain = [space] + ([space.parent] if space.parent_id else [])
    return any(s.visibility == Visibility.SECRET for s in chain) and not can(user, "view", obj)


def follow(obj, path):
    """The object at the end of a relation path ("space", "room__space"), or None where a link is empty."""
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def check(user, action, obj):
    """Raise :class:`Http404` or :class:`PermissionDenied` unless ``user`` may do ``action`` on ``obj``."""
    if obj is None:
        raise Http404
    if can(user, action, obj):
        return obj
    if hidden_from(user, obj):
        raise Http404
    raise PermissionDenied


def get_object_or_404(user, queryset, action="view", **lookup):
    """Fetch one row and check it; missing and forbidden-secret answer the same 404."""
    if any(isinstance(v, int) and not _MIN_INT <= v <= _MAX_INT for v in lookup.values()):
        # No row has an id the database cannot store; SQLite would raise OverflowError on the query.
        raise Http404
    obj = queryset.filter(**lookup).first()
    return check(user, action, obj)


def role_in(user, space) -> Role | None:
    """The user's effective role in ``space`` (inherited oversight included), or None."""
    if not _active(user):
        return None
    ids = [space.pk] + ([space.parent_id] if space.parent_id else [])
    roles = dict(Membership.objects.filter(user=user, space_id__in=ids).values_list("space_id", "role"))
    own = roles.get(space.pk)
    inherited = Role.COMMUNITY_MANAGER if roles.get(space.parent_id, 0) >= Role.COMMUNITY_MANAGER else None
    best = max((r for r in (own, inherited) if r is not None), default=None)
    return Role(best) if best is not None else None


def audience_allows(viewer, owner, audience) -> bool:
    """May ``viewer`` see a field that ``owner`` shows to ``audience`` (everyone/logged_in/only_me)?"""
    if _active(viewer) and (viewer.pk == owner.pk or viewer.is_superuser):
        return True
    if audience == "everyone":
        return True
    if audience == "logged_in":
        return _active(viewer)
    return False
