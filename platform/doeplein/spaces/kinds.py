"""The registry of space kinds: what the core knows about workspaces, groups and later kinds.

Each plugin declares its kind once through the ``doeplein_space_kinds`` hook (a
:class:`doeplein.plugins.SpaceKind`); :func:`load` collects them when the apps are ready, and a
key declared twice is an error. The core then asks this module, never a plugin: the label of a role
(:func:`role_label`), the roles a kind uses (:func:`roles_of`), the page of a space
(:func:`space_url`).
"""

from django.http import Http404
from django.urls import NoReverseMatch

from doeplein.plugins import HOOK_SPACE_KINDS, SpaceKind, collect

from .models import Role, Space

_kinds: dict[str, SpaceKind] = {}


class DuplicateKind(Exception):
    """Two registrations claim the same ``Space.kind``."""


def register(kind: SpaceKind) -> SpaceKind:
    if not isinstance(kind, SpaceKind):
        raise TypeError(f"Register a doeplein.plugins.SpaceKind, not {type(kind).__name__}.")
    if kind.key in _kinds:
        raise DuplicateKind(f"The space kind {kind.key!r} is registered twice.")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(key, None)


def load() -> None:
    """Register every kind the plugins declare (once, from ``SpacesConfig.ready``)."""
    for kind in collect(HOOK_SPACE_KINDS):
        register(kind)


def kinds() -> dict[str, SpaceKind]:
    return dict(_kinds)


def kind_of(space) -> SpaceKind | None:
    return _kinds.get(getattr(space, "kind", None))


def specific_of(space):
    """The plugin's own object for a space: a Workspace or Group passed in is already specific; a bare
    Space costs one query to find its child."""
    return space if type(space) is not Space else space.specific


def space_url(space) -> str | None:
    """The page of a space, from its kind; None for a kind nobody registered (or whose pages are not mounted)."""
    kind = kind_of(space)
    if kind is None or space is None:
        return None
    try:
        return kind.url(specific_of(space))
    except NoReverseMatch:
        return None


def is_personal(space) -> bool:
    """Whether ``space`` is one person's own (its kind says ``personal``): nobody else is ever added."""
    kind = kind_of(space)
    return bool(kind is not None and kind.personal)


def roles_of(space) -> list[tuple[int, str]]:
    """The ``(role, label)`` pairs a space offers, strongest first."""
    kind = kind_of(space)
    if kind is not None and kind.roles:
        return [(int(role), str(label)) for role, label in kind.roles]
    return [(int(role), str(role.label)) for role in reversed(Role)]


def role_label(space, role) -> str:
    """The name of ``role`` in this kind of space (a group says "Admin" for a community manager)."""
    kind = kind_of(space)
    if kind is not None:
        for value, label in kind.roles:
            if int(value) == int(role):
                return str(label)
    return str(Role(role).label)


def kind_label(space) -> str:
    kind = kind_of(space)
    return str(kind.label) if kind else str(Space._meta.verbose_name)


def find_by_slug(user, slug, *, exclude=()):
    """The space of any kind that names spaces by slug, found through the gate; Http404 if none."""
    for key, kind in _kinds.items():
        if kind.by_slug is None or key in exclude:
            continue
        try:
            return kind.by_slug(user, slug)
        except Http404:
            continue
    raise Http404
