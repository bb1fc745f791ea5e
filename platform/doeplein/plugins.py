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
``doeplein_search_sources``        a list of :class:`SearchSource`: what the site search finds; see
                                   docs/search.md (access is filtered in the query)
``doeplein_profile_sources``       a list of :class:`ProfileSource`: what feeds activity profiles
``doeplein_discussion_targets``    a list of :class:`DiscussionTarget`: models a live discussion
                                   room can attach to
``doeplein_demo_data``             a list of :class:`DemoData`: steps ``manage.py demo_data`` runs
``doeplein_api_routers``           a list of ``(prefix, ninja.Router)`` pairs mounted at /api/v1/
``doeplein_urls``                  a list of URL patterns mounted at the site root
``doeplein_navigation``            a list of :class:`NavItem` for the main navigation
``doeplein_websocket_urls``        a list of websocket URL patterns (Channels consumers)
``doeplein_attachment_sources``    a list of :class:`AttachmentSource`: things (files …) other
                                   content can attach, found and checked through the gate
``doeplein_report_sources``        a list of :class:`ReportSource`: reported content a plugin keeps
                                   (blog comments …), shown in a space's review queue beside the
                                   reports on chat messages and resolved through the plugin's action
``doeplein_notification_verbs``    a ``{verb: lazy message}`` dict: how its notifications read
                                   (``%(name)s`` placeholders, filled from the params at read time)
``doeplein_start_page_items``      a list of :class:`StartItem`: "what's new" for a person's start
                                   page; each is called as ``items(user, spaces)``
``doeplein_featured_spaces``       a list of :class:`FeaturedSource`: public spaces the home page
                                   features
``doeplein_team_destinations``     a list of :class:`TeamDestination`: kinds of space a suggested
                                   team can be invited to as a new space inside a workspace (a
                                   group), created and invited in one action
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
HOOK_ATTACHMENT_SOURCES = "doeplein_attachment_sources"
HOOK_REPORT_SOURCES = "doeplein_report_sources"
HOOK_NOTIFICATION_VERBS = "doeplein_notification_verbs"
HOOK_START_PAGE_ITEMS = "doeplein_start_page_items"
HOOK_FEATURED_SPACES = "doeplein_featured_spaces"
HOOK_TEAM_DESTINATIONS = "doeplein_team_destinations"

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
    HOOK_ATTACHMENT_SOURCES,
    HOOK_REPORT_SOURCES,
    HOOK_NOTIFICATION_VERBS,
    HOOK_START_PAGE_ITEMS,
    HOOK_FEATURED_SPACES,
    HOOK_TEAM_DESTINATIONS,
)


@dataclass(frozen=True)
class SpaceKind:
    """A kind of space a plugin brings. ``key`` is the ``Space.kind`` its rows carry.

    ``roles``: the ``(Role, label)`` pairs this kind uses, strongest first (empty: every platform role
    under its own name). ``url(space)`` gives the page of one space of the kind (its own model's
    object). ``by_slug(user, slug)`` (optional) finds one by its web address through the gate, or
    raises Http404; pages of other plugins use it to name a parent space by slug. ``personal``: one
    person's own space (their files, say): the core never adds anyone else to it — no invitations,
    joins, requests or new members, whatever its owner asks.
    """

    key: str
    label: str
    plural: str
    url: Callable
    roles: tuple = ()
    icon: str = "folder"
    by_slug: Callable | None = None
    personal: bool = False


@dataclass(frozen=True)
class ContentTypeSpec:
    """A kind of content. ``space`` is the path to its guarding space; ``owner`` its author field."""

    model: type
    label: str
    space: str = "space"
    owner: str | None = None
    # ``narrow(user, action, verdict) -> Q``: rows must meet it too (drafts, posts for members only);
    # it can only take people away from what the space allows (see doeplein.access.gate.Guard).
    narrow: Callable | None = None


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
class SearchDoc:
    """One searchable item, as a search source describes it (``doeplein.search`` stores and indexes it).

    Who may find it is decided by ``guard``, in the search query itself (never by dropping results):

    * ``"view"`` — whoever may view the space ``space_id`` (content: posts, files, messages);
    * ``"discover"`` — whoever may discover the space ``space_id`` (a workspace's or group's own card);
    * ``"audience"`` — no space: ``audience`` says who ("everyone", "logged_in", "only_me": platform
      administrators only). A source that shows different fields to different audiences gives one doc
      per audience with its own ``variant`` (see the people source in ``doeplein.accounts``).

    ``title`` ranks above ``body``; ``heading`` is what the result shows (defaults to ``title``);
    ``language`` ("nl", "en" or "" to let search guess) picks the stemming; ``person_id`` is the author
    (or the person) for the "person" filter; ``date`` orders ties, newest first, and feeds the date filter.
    """

    object_id: int | str
    title: str
    url: str
    body: str = ""
    heading: str = ""
    space_id: int | None = None
    guard: str = "view"
    audience: str = ""
    person_id: int | None = None
    language: str = ""
    date: object = None  # a datetime
    variant: str = ""


@dataclass(frozen=True)
class SearchSource:
    """A kind of thing the site search finds. ``key`` is the type filter's value ("group", "post").

    * ``queryset()`` — every row that may be found by someone (drafts, hidden or deleted rows left out);
      the rebuild walks it, and re-indexing one row asks ``queryset().filter(pk=...)``.
    * ``documents(obj)`` — the :class:`SearchDoc` list for one row of that queryset (usually one).
    * ``triggers`` — ``(model, ids)`` pairs: after a save or delete of a ``model`` instance, the rows
      ``ids(instance)`` (a list of primary keys of ``queryset``'s model) are re-indexed after commit
      (debounced, in Celery). Defaults to the queryset's own model.
    * ``watch_deletes`` — also re-index after a trigger model's row is deleted. Switch it off for rows
      that are never deleted one by one, only with their space (messages): a delete receiver stops
      Django from deleting cascaded rows in bulk, and the search drops a deleted space's documents itself.
    * ``immediate`` — re-index right after commit, in the request, not in Celery: for sources where a
      change narrows who may find something (a profile field's audience), which must hold at once.
    * ``space_themes()`` — optional: ``(space_id, theme_id)`` pairs for the spaces this plugin knows the
      themes of (the theme filter and facet use them, read live at each search).
    * ``bulk()`` — optional: a :class:`SearchBulk` giving the same documents as ``documents()`` for every
      row of ``queryset()``, as SQL; a rebuild then writes them with one INSERT … SELECT per batch
      instead of row by row (a whole platform in minutes). Sources without it are rebuilt row by row.
    """

    key: str
    label: str
    queryset: Callable
    documents: Callable
    triggers: tuple = ()
    watch_deletes: bool = True
    immediate: bool = False
    space_themes: Callable | None = None
    order: int = 100
    bulk: Callable | None = None


@dataclass(frozen=True)
class SearchBulk:
    """A source's documents as SQL, for rebuilding a whole platform (``SearchSource.bulk``).

    ``queryset``: the rows (usually ``queryset()`` itself, without its prefetches); ``fields``: a
    ``{SearchDoc field name: expression}`` dict (``F("title")``, ``Concat(...)``, ``Value(...)``) with at
    least ``object_id``, ``title`` and ``url``; fields left out take SearchDoc's defaults. One row of
    the queryset gives one document (sources with several documents per row, such as people's audience
    variants, keep the row-by-row path). ``doeplein.search.bulk`` has helpers for URLs (``url``) and
    stored HTML (``strip_tags``); the search applies the same clean-up as for ``documents()`` itself.
    A test of the source must compare both paths (``doeplein.search.indexing.documents_of``).
    """

    queryset: object
    fields: dict


@dataclass(frozen=True)
class ActivityRecord:
    """One thing a person did that says what they work on (a post, a comment, an edit, a file).

    ``space_id``: where it happened (None: outside any space); ``public``: for records outside a
    space, whether every logged-in user may see it. Activity profiles keep only what every logged-in
    user may see (records in spaces that are public or open to logged-in users, all the way up), so
    that no explanation reveals what an asker may not read. ``text`` is indexed, never shown.
    """

    person_id: int
    kind: str  # "post", "comment", "message", "edit", "file" …
    text: str = ""
    themes: tuple = ()
    space_id: int | None = None
    at: object = None  # a datetime; None: now
    public: bool = False


@dataclass(frozen=True)
class InteractionEdge:
    """Two people who worked together: ``kind`` is "reply", "mention", "comment", "co_edit" …;
    ``weight`` in reply-equivalents (1.0: one reply). Same visibility rule as records."""

    a: int
    b: int
    kind: str
    weight: float = 1.0
    space_id: int | None = None
    at: object = None


@dataclass(frozen=True)
class ProfileSource:
    """What feeds activity profiles and the interaction graph.

    ``records(person_ids)`` yields :class:`ActivityRecord` for those people (``None``: everyone);
    ``edges(person_ids)`` yields :class:`InteractionEdge` touching them. Either may be None.
    ``weight`` scales the source's records against the others.
    """

    key: str
    records: Callable | None = None
    edges: Callable | None = None
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
class Attachment:
    """Something a post (or other content) can point at; ``key`` is ``"<source key>:<id>"``."""

    key: str
    name: str
    url: str  # its page
    download_url: str
    size: int
    content_type: str
    space_id: int


@dataclass(frozen=True)
class AttachmentSource:
    """``choices(user, space)`` lists what ``user`` may attach in ``space`` (newest first, a few hundred at
    most); ``get(user, key)`` returns one :class:`Attachment` the user may see, or None (missing and
    forbidden alike); ``upload_url(space)`` is where a new one can be added, or None."""

    key: str
    label: str
    choices: Callable
    get: Callable
    upload_url: Callable | None = None


def attachment_sources():
    return collect(HOOK_ATTACHMENT_SOURCES)


def attachment(user, key):
    """The :class:`Attachment` behind ``key`` ("files:12") if ``user`` may see it, else None."""
    prefix, _sep, _rest = str(key).partition(":")
    for source in attachment_sources():
        if source.key == prefix:
            return source.get(user, key)
    return None


@dataclass(frozen=True)
class NavItem:
    label: str
    url: Callable  # () -> str
    order: int = 100
    requires_login: bool = False


@dataclass(frozen=True)
class ReportItem:
    """One open report in a review queue, whatever the reported content is."""

    source: str  # the ReportSource's key
    id: int
    author: str
    body: str
    reporter: str
    reason: str
    created_at: object
    url: str = ""  # the reported content in its context


@dataclass(frozen=True)
class ReportSource:
    """Reported content a plugin keeps. ``open_reports(user, space)`` returns the open
    :class:`ReportItem` s of ``space`` for a user who may moderate it; ``resolve(user, report_id,
    resolution, reason)`` resolves one as "hidden", "kept" or "sanctioned" through the plugin's action
    (which checks access, writes the moderation audit log and raises ActionError, Http404 …)."""

    key: str
    label: str
    open_reports: Callable
    resolve: Callable


def report_sources():
    return {source.key: source for source in collect(HOOK_REPORT_SOURCES)}


class StartItem:
    """A source of "what's new" on a person's start page. ``items(user, spaces)`` returns a list of
    :class:`NewsItem` for the spaces the person belongs to (only what the gate lets them see)."""

    key: str
    label: str
    items: Callable
    order: int = 100


@dataclass(frozen=True)
class NewsItem:
    title: str
    url: str
    when: object  # an aware datetime
    space: object = None
    summary: str = ""


@dataclass(frozen=True)
class FeaturedSource:
    """``spaces(limit)`` returns public spaces to feature on the home page, most interesting first;
    ``theme_url(slug)``, if given, is the plugin's directory filtered by a theme (the home page links
    each theme there)."""

    key: str
    label: str
    spaces: Callable
    order: int = 100
    theme_url: Callable | None = None


@dataclass(frozen=True)
class TeamDestination:
    """A kind of space a suggested team can be invited to, inside a space (usually a workspace).

    The team page (``doeplein.teams``) offers "invite this team to a new <label>" for every destination
    whose ``may_create`` says yes, and always the existing spaces the manager may invite to (the space
    itself and the spaces inside it, of any kind, through the gate). The plugin keeps its own rules:

    * ``may_create(user, parent)`` -> bool: may ``user`` create one inside ``parent`` (the gate's verdict,
      never raising);
    * ``create(user, parent, name, people)`` -> ``(space, invited, skipped)``: in one transaction, create
      the space through the plugin's own action (``user`` its owner) and invite ``people`` through the core
      invitations (:func:`doeplein.spaces.actions.do_invite_people`, which only gives roles the actor may
      give); ``skipped`` is a list of ``(person, reason)``. Raises ActionError / PermissionDenied with a
      message. The people were already filtered by the core: they allow suggestions and may see
      ``parent``.
    * ``existing(user, parent)`` (optional) -> spaces of this kind elsewhere than inside ``parent`` that
      ``user`` may invite the team to (the core already lists the spaces inside ``parent``).
    """

    key: str  # the Space.kind it creates
    label: str
    create: Callable
    may_create: Callable
    existing: Callable | None = None
    order: int = 100


def team_destinations():
    """Every registered :class:`TeamDestination` by ``order``, keyed by ``key``."""
    return {d.key: d for d in sorted(collect(HOOK_TEAM_DESTINATIONS), key=lambda d: d.order)}


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


def search_sources():
    """Every registered :class:`SearchSource`, by ``order``; keys are unique."""
    sources = sorted(collect(HOOK_SEARCH_SOURCES), key=lambda s: s.order)
    keys = [s.key for s in sources]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"Search sources registered twice: {', '.join(sorted(duplicates))}")
    return sources


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
        guard(spec.model, space=spec.space, owner=spec.owner, narrow=spec.narrow)
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
    "SearchBulk",
    "SearchDoc",
    "SearchSource",
    "ProfileSource",
    "ActivityRecord",
    "InteractionEdge",
    "DiscussionTarget",
    "DemoData",
    "NavItem",
    "Attachment",
    "AttachmentSource",
    "attachment",
    "attachment_sources",
    "ReportItem",
    "ReportSource",
    "StartItem",
    "NewsItem",
    "FeaturedSource",
    "TeamDestination",
    "team_destinations",
    "collect",
]
