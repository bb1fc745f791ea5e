"""The core's experts-and-teams app plugs in like a plugin: pages, API, navigation, a space section."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import (
    HOOK_API_ROUTERS,
    HOOK_NAVIGATION,
    HOOK_SPACE_SECTIONS,
    HOOK_URLS,
    NavItem,
    Section,
)


@hooks.register(HOOK_URLS)
def urls():
    return [path("", include("doeplein.teams.urls"))]


@hooks.register(HOOK_NAVIGATION)
def navigation():
    return [NavItem(label=_("Experts"), url=lambda: reverse("teams:experts"), order=60, requires_login=True)]


def render_teams_section(request, space):
    from doeplein.access import can

    if not can(request.user, "moderate", space):
        return None
    return render_to_string("teams/_section.html", {"space": space}, request=request)


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [Section(key="teams", label=_("Team suggestions"), render=render_teams_section, order=950)]


@hooks.register(HOOK_API_ROUTERS)
def api_routers():
    from .api import router

    return [("teams/", router)]
