"""Demo workspaces: several themes, every visibility and join policy, members in every role.

Idempotent: run it as often as you like (looked up by slug; memberships, requests and invitations are
only added when missing). Runs after the core's demo step, which creates the themes and the people.
"""

from django.db import transaction

from doeplein.spaces.demo import (
    DEMO_OWNER,
    demo_people,
    ensure_members,
    ensure_open_invitations,
    ensure_pending_requests,
)

# name, slug, theme slugs, visibility, join policy, description, tags
WORKSPACES = [
    (
        "Klimaatbestendige stad",
        "klimaatbestendige-stad",
        ["klimaatadaptatie", "wonen"],
        "public",
        "open",
        "Gemeenten, waterschappen en bewoners maken de stad klaar voor hitte en hoosbuien.",
        ["hitte", "water"],
    ),
    (
        "Jeugdhulp dichtbij",
        "jeugdhulp-dichtbij",
        ["jeugdzorg"],
        "logged_in",
        "request",
        "Wijkteams en jeugdconsulenten delen wat werkt.",
        ["wijkteam"],
    ),
    (
        "Right to Challenge",
        "right-to-challenge",
        ["doe-democratie"],
        "public",
        "request",
        "Bewoners nemen taken van de gemeente over: ervaringen en modellen.",
        ["burgerinitiatief"],
    ),
    (
        "Aardgasvrije wijken",
        "aardgasvrije-wijken",
        ["energietransitie", "wonen"],
        "members",
        "request",
        "Proeftuinen aardgasvrije wijken: aanpak, cijfers en lessen.",
        ["warmtenet", "proeftuin"],
    ),
    (
        "Open standaarden",
        "open-standaarden",
        ["digitale-overheid"],
        "logged_in",
        "open",
        "Samen werken aan open standaarden voor de digitale overheid.",
        ["api", "standaarden"],
    ),
    (
        "Wetsvoorstel Wonen (vertrouwelijk)",
        "wetsvoorstel-wonen",
        ["wonen"],
        "secret",
        "invitation",
        "Voorbereiding van een wetsvoorstel; alleen op uitnodiging.",
        ["wetgeving"],
    ),
    (
        "Droogte op het platteland",
        "droogte-platteland",
        ["klimaatadaptatie"],
        "members",
        "invitation",
        "Boeren, provincie en waterschap over zoetwater in droge zomers.",
        ["droogte"],
    ),
]

WELCOME = "<p>Welkom in <b>{name}</b>! Stel je voor in de discussie en lees de huisregels.</p>"


def workspaces_demo_data(progress):
    from doeplein.accounts.models import User
    from doeplein.home.models import Theme
    from doeplein.spaces.models import Role

    from .actions import do_open_workspace
    from .models import Workspace

    owner = User.objects.filter(email=DEMO_OWNER).first()
    people = demo_people()
    if owner is None or not people:
        progress(len(WORKSPACES))
        return
    roles = [Role.COMMUNITY_MANAGER, Role.MEMBER, Role.MEMBER, Role.MEMBER, Role.GUEST]
    for index, (name, slug, theme_slugs, visibility, policy, description, tags) in enumerate(WORKSPACES):
        with transaction.atomic():
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                workspace = do_open_workspace(
                    user=owner,
                    name=name,
                    slug=slug,
                    themes=list(Theme.objects.filter(slug__in=theme_slugs)),
                    tags=tags,
                    description=description,
                    welcome=WELCOME.format(name=name),
                    visibility=visibility,
                    join_policy=policy,
                    welcome_message=f"Welkom bij {name}!",
                )
            # A second owner in one workspace shows that ownership is shared; the rest in every role.
            ensure_members(
                workspace, people, index * 5, ([Role.OWNER] if index == 0 else []) + roles * (1 + index % 2)
            )
            if policy == "request":
                ensure_pending_requests(workspace, people, index * 5 + 12)
            if policy == "invitation" or index == 0:
                ensure_open_invitations(
                    workspace, owner, [f"genodigde.{slug}@voorbeeld.nl", people[-1 - index].email]
                )
        progress(1)


STEPS = len(WORKSPACES)
