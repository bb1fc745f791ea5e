"""The plugin API: hook names and the small typed classes plugins register.

A plugin is a Django app added to ``INSTALLED_APPS`` with a ``wagtail_hooks.py`` module; Wagtail
discovers that module at start-up. The core calls ``wagtail.hooks.get_hooks(NAME)`` and never names a
plugin. Each hook function takes no arguments unless stated and returns what the hook's entry says.

=================================  =============================================================
hook name                          the function returns
=================================  =============================================================
``doeplein_space_kinds``           a list of :class:`SpaceKind`: the kinds of space the plugin
                                   brings (a workspace, a group); each kind is registered once
``doeplein_content_types``         a list of :class:`ContentTypeSpec`: the kinds of content the
                                   plugin brings (the gate learns how to guard them)
``doeplein_space_sections``        a list of :class:`Section`: blocks shown on a workspace or
                                   group home page
``doeplein_activity_verbs``        a ``{verb: label}`` dict of the activity verbs it records
``doeplein_search_sources``        a list of :class:`SearchSource`: querysets the site search asks
                                   (always through the gate)
``doeplein_profile_sources``       a list of :class:`ProfileSource`: what feeds activity profiles
``doeplein_discussion_targets``    a list of :class:`DiscussionTarget`: models a live discussion
                                   room can attach to
``doeplein_demo_data``             a list of :class:`DemoData`: steps ``manage.py demo_data`` runs
``doeplein_api_routers``           a list of ``(prefix, ninja.Router)`` pairs mounted at /api/v1/
``doeplein_urls``                  a list of URL patterns mounted at the site root
``doeplein_navigation``            a list of :class:`NavItem` for the main navigation
``doeplein_websocket_urls``        a list of websocket URL patterns (Channels consumers)
=================================  =============================================================

Tests register temporarily with ``wagtail.hooks.register_temporarily(NAME, fn)``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from wagtail import hooks

HOOK_SPACE_KINDS = "doeplein_space_kinds"
HOOK_CONTENT_TYPES = "doeplein_content_types"
HOOK_SPACE_SECTIONS = "doeplein_space_sections"
HOOK_ACTIVITY_VERBS = "doeplein_activity_verbs"
HOOK_SEARCH_SOURCES = "doeplein_search_sources"
HOOK_PROFILE_SOURCES = "doeplein_profile_sources"
HOOK_DISCUSSION_TARGETS = "doeplein_discussion_targets"
HOOK_DEMO_DATA = "doeplein_demo_data"
HOOK_API_ROUTERS = "doeplein_api_routers"
HOOK_URLS = "doeplein_urls"
HOOK_NAVIGATION = "doeplein_navigation"
HOOK_WEBSOCKET_URLS = "doeplein_websocket_urls"

ALL_HOOKS = (
    HOOK_SPACE_KINDS,
    HOOK_CONTENT_TYPES,
    HOOK_SPACE_SECTIONS,
    HOOK_ACTIVITY_VERBS,
    HOOK_SEARCH_SOURCES,
    HOOK_PROFILE_SOURCES,
    HOOK_DISCUSSION_TARGETS,
    HOOK_DEMO_DATA,
    HOOK_API_ROUTERS,
    HOOK_URLS,
    HOOK_NAVIGATION,
    HOOK_WEBSOCKET_URLS,
)


@dataclass(frozen=True)
class SpaceKind:
    """A kind of space a plugin brings. ``key`` is the ``Space.kind`` its rows carry.

    ``roles``: the ``(Role, label)`` pairs this kind uses, strongest first (empty: every platform role
    under its own name). ``url(space)`` gives the page of one space of the kind (its own model's
    object). ``by_slug(user, slug)`` (optional) finds one by its web address through the gate, or
    raises Http404; pages of other plugins use it to name a parent space by slug.
    """

    key: str
    label: str
    plural: str
    url: Callable
    roles: tuple = ()
    icon: str = "folder"
    by_slug: Callable | None = None


@dataclass(frozen=True)
class ContentTypeSpec:
    """A kind of content. ``space`` is the path to its guarding space; ``owner`` its author field."""

    model: type
    label: str
    space: str = "space"
    owner: str | None = None


@dataclass(frozen=True)
class Section:
    """A block on a space's home page. ``render(request, space)`` returns HTML (without a heading:
    the page puts ``label`` above it as a heading) or None to skip the section."""

    key: str
    label: str
    render: Callable
    order: int = 100
    kinds: tuple = ()  # the space kinds it applies to; empty means all


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str
    queryset: Callable  # () -> QuerySet of a guarded model


@dataclass(frozen=True)
class ProfileSource:
    """``texts(user)`` yields the texts that say what a person works on."""

    key: str
    texts: Callable
    weight: float = 1.0


@dataclass(frozen=True)
class DiscussionTarget:
    model: type
    label: str
    space: str = "space"


@dataclass(frozen=True)
class DemoData:
    """``run(progress)`` fills demo data idempotently; ``progress(n)`` advances the bar."""

    key: str
    run: Callable
    steps: int = 1
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    label: str
    url: Callable  # () -> str
    order: int = 100
    requires_login: bool = False


def collect(hook_name):
    """Everything registered under ``hook_name``, flattened in registration order."""
    items = []
    for fn in hooks.get_hooks(hook_name):
        result = fn()
        if isinstance(result, dict):
            items.append(result)
        elif result:
            items.extend(result)
    return items


def content_types():
    return collect(HOOK_CONTENT_TYPES)


def space_sections(space=None):
    sections = collect(HOOK_SPACE_SECTIONS)
    if space is not None:
        sections = [s for s in sections if not s.kinds or space.kind in s.kinds]
    return sorted(sections, key=lambda s: s.order)


def demo_data_steps():
    return sorted(collect(HOOK_DEMO_DATA), key=lambda s: s.order)


def navigation():
    return sorted(collect(HOOK_NAVIGATION), key=lambda n: n.order)


def register_content_types(guard, is_guarded=None):
    """Hand every content type plugins declare to ``guard`` (the gate's registration function, passed
    in so that this module and the gate never import each other). Called once, from
    ``doeplein.spaces``' ``ready()``. A model declared twice as content type is an error (the gate's
    :class:`~doeplein.access.gate.AlreadyGuarded`); a discussion target that is also a content type is
    guarded by its content-type declaration."""
    declared = set()
    for spec in content_types():
        guard(spec.model, space=spec.space, owner=spec.owner)
        declared.add(spec.model)
    for target in collect(HOOK_DISCUSSION_TARGETS):
        if target.model in declared or (is_guarded and is_guarded(target.model)):
            continue
        guard(target.model, space=target.space)
        declared.add(target.model)


__all__ = [name for name in dir() if name.startswith("HOOK_")] + [
    "ContentTypeSpec",
    "SpaceKind",
    "Section",
    "SearchSource",
    "ProfileSource",
    "DiscussionTarget",
    "DemoData",
    "NavItem",
    "collect",
]
