"""What the blogs plugin brings to the core: its content types (with their narrowing rules for the
gate), pages, API, websocket route, a blog section on space home pages, activity verbs, navigation,
search and profile sources, comment reports in the moderation queue, and demo data."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import (
    HOOK_ACTIVITY_VERBS,
    HOOK_API_ROUTERS,
    HOOK_CONTENT_TYPES,
    HOOK_DEMO_DATA,
    HOOK_NAVIGATION,
    HOOK_PROFILE_SOURCES,
    HOOK_REPORT_SOURCES,
    HOOK_SEARCH_SOURCES,
    HOOK_SPACE_KINDS,
    HOOK_SPACE_SECTIONS,
    HOOK_URLS,
    HOOK_WEBSOCKET_URLS,
    ContentTypeSpec,
    DemoData,
    NavItem,
    Section,
    SpaceKind,
)

from .models import Comment, Post

SECTION_POSTS = 5


def _register_policy():
    from wagtail.permissions import register_permission_policy

    from .permissions import GatePolicy

    register_permission_policy(Post, GatePolicy(Post), exact_class=True)


_register_policy()


@hooks.register(HOOK_CONTENT_TYPES)
def content_types():
    from .access import comment_narrow, post_narrow

    return [
        ContentTypeSpec(model=Post, label=_("blog post"), space="space", owner="author", narrow=post_narrow),
        ContentTypeSpec(
            model=Comment, label=_("comment"), space="post__space", owner="author", narrow=comment_narrow
        ),
    ]


@hooks.register(HOOK_SPACE_KINDS)
def space_kinds():
    from .models import PROFILE_KIND

    # A person's own blog is a space of this kind that they own (see blogs.actions.profile_space).
    return [
        SpaceKind(
            key=PROFILE_KIND,
            label=_("personal blog"),
            plural=_("personal blogs"),
            url=lambda space: reverse("blogs:space", kwargs={"space_id": space.pk}),
            icon="user",
        )
    ]


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {
        "blog.published": _("published a blog post"),
        "blog.updated": _("updated a blog post"),
        "blog.commented": _("commented on a blog post"),
    }


@hooks.register(HOOK_URLS)
def urls():
    return [path("blogs/", include("blogs.urls"))]


@hooks.register(HOOK_NAVIGATION)
def navigation():
    return [NavItem(label=_("Blogs"), url=lambda: reverse("blogs:list"), order=30)]


@hooks.register(HOOK_WEBSOCKET_URLS)
def websocket_urls():
    from .consumers import PostConsumer

    return [path("ws/blogs/posts/<int:post_id>/", PostConsumer.as_asgi())]


def render_blog_section(request, space):
    from doeplein.access import can

    from .selectors import post_list

    posts = list(post_list(user=request.user, space=space)[:SECTION_POSTS])
    context = {"space": space, "posts": posts, "may_write": can(request.user, "contribute", space)}
    return render_to_string("blogs/_section.html", context, request=request)


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [Section(key="blogs", label=_("Blog"), render=render_blog_section, order=40)]


@hooks.register(HOOK_SEARCH_SOURCES)
def search_sources():
    from .search import search_sources

    return search_sources()


@hooks.register(HOOK_PROFILE_SOURCES)
def profile_sources():
    from .search import profile_sources

    return profile_sources()


@hooks.register(HOOK_REPORT_SOURCES)
def report_sources():
    from .moderation import comment_report_source

    return [comment_report_source()]


# --- JSON API -----------------------------------------------------------------------------------
@hooks.register(HOOK_API_ROUTERS)
def api_routers():
    from .api import router

    return [("/", router)]


# --- Demo data ----------------------------------------------------------------------------------
@hooks.register(HOOK_DEMO_DATA)
def demo_data_steps():
    from .demo import STEPS, blogs_demo_data

    return [DemoData(key="blogs", run=blogs_demo_data, steps=STEPS, order=40)]


@hooks.register("register_rich_text_features")
def register_blockquote_whitelist(features):
    """Wagtail's HTML whitelister has no rule for the ``blockquote`` feature (only its contentstate
    converter has), so a quote sent as HTML (the API, the page without script) was dropped. Wagtail's own
    rule type, for the one element of the feature and no attributes."""
    from wagtail.admin.rich_text.converters.editor_html import WhitelistRule
    from wagtail.whitelist import allow_without_attributes

    features.register_converter_rule(
        "editorhtml", "blockquote", [WhitelistRule("blockquote", allow_without_attributes)]
    )
