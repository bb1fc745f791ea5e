"""The discussion registers itself like any plugin: a section on every space's home page."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_SPACE_SECTIONS, Section


def render_discussion_section(request, space):
    from .models import Room
    from .selectors import unread_counts

    room = Room.objects.filter(space=space, target_type__isnull=True).first()
    unread = unread_counts(user=request.user, rooms=[room]).get(room.pk, 0) if room else 0
    return render_to_string(
        "discussion/_section.html", {"space": space, "room": room, "unread": unread}, request=request
    )


@hooks.register(HOOK_SPACE_SECTIONS)
def discussion_section():
    return [Section(key="discussion", label=_("Discussion"), render=render_discussion_section, order=30)]
