"""The search's own place in the site: its pages and a "search in this space" box on space homes."""

from django.template.loader import render_to_string
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_SPACE_SECTIONS, HOOK_URLS, Section


@hooks.register(HOOK_URLS)
def urls():
    return [path("search/", include("doeplein.search.urls"))]


def render_space_search(request, space):
    return render_to_string("search/_space_section.html", {"space": space}, request=request)


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [Section(key="search", label=_("Search in this space"), render=render_space_search, order=5)]
