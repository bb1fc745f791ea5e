"""What the spaces core shows on every space's home page: the members section."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_SPACE_SECTIONS, Section

MEMBERS_SHOWN = 12


def render_members(request, space):
    """How many members a space has, the first few of them, and a link to the full list."""
    from .kinds import role_label
    from .selectors import member_list

    # The first few by role, then by who joined first: an index scan, however many members there are.
    members = list(member_list(user=request.user, space=space).order_by("-role", "pk")[:MEMBERS_SHOWN])
    for membership in members:
        membership.role_name = role_label(space, membership.role)
    return render_to_string(
        "spaces/_members_section.html",
        {"space": space, "members": members, "member_count": space.member_count},
        request=request,
    )


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [Section(key="members", label=_("Members"), render=render_members, order=900)]
