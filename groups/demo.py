"""Demo groups: every policy (open, on request, by invitation, secret), in workspaces and platform-wide,
with owners, admins and members from the demo people, pending requests and open invitations.

Idempotent (looked up by workspace and slug). Runs after the workspaces' demo step.
"""

from django.db import transaction

# name, slug, workspace slug (None: platform-wide), policy, visibility, members may leave
GROUPS = [
    ("Hittestress-team", "hittestress", "klimaatbestendige-stad", "open", "public", True),
    ("Groene daken", "groene-daken", "klimaatbestendige-stad", "request", "public", True),
    ("Stuurgroep klimaat", "stuurgroep-klimaat", "klimaatbestendige-stad", "secret", "members", True),
    ("Wijkteams Oost", "wijkteams-oost", "jeugdhulp-dichtbij", "request", "logged_in", True),
    ("Intervisie jeugdconsulenten", "intervisie", "jeugdhulp-dichtbij", "invitation", "members", True),
    ("Buurtbudgetten", "buurtbudgetten", "right-to-challenge", "open", "public", True),
    ("Warmtenet Noord", "warmtenet-noord", "aardgasvrije-wijken", "request", "members", True),
    ("API-strategie", "api-strategie", "open-standaarden", "open", "logged_in", True),
    ("Juridische toets", "juridische-toets", "wetsvoorstel-wonen", "secret", "members", False),
    ("Zoetwater", "zoetwater", "droogte-platteland", "invitation", "members", True),
    ("Communitymanagers van Doeplein", "communitymanagers", None, "request", "logged_in", True),
    ("Verplichte training AVG", "training-avg", None, "invitation", "logged_in", False),
    ("Open koffie", "open-koffie", None, "open", "public", True),
    ("Crisisteam", "crisisteam", None, "secret", "members", True),
]


DESCRIPTIONS = {
    "hittestress": "We brengen hete plekken in de stad in kaart en bedenken wat helpt: schaduw, water, koele routes.",
    "groene-daken": "Bewoners, corporaties en de gemeente die samen daken vergroenen. Subsidie, constructie en onderhoud.",
    "stuurgroep-klimaat": "De stuurgroep bereidt de besluiten over het klimaatprogramma voor.",
    "wijkteams-oost": "Professionals van de wijkteams in Oost delen casuïstiek, aanpakken en de sociale kaart.",
    "intervisie": "Maandelijkse intervisie voor jeugdconsulenten. Wat hier besproken wordt, blijft hier.",
    "buurtbudgetten": "Hoe geef je een buurt zelf zeggenschap over een deel van het budget? Ervaringen en modellen.",
    "warmtenet-noord": "Bewoners en netbeheerder over de aanleg van het warmtenet in Noord: planning, kosten en overlast.",
    "api-strategie": "Afspraken over API's van de overheid: de API-strategie, het Digikoppeling-profiel en publiccode.",
    "juridische-toets": "Juristen toetsen de concepttekst van het wetsvoorstel.",
    "zoetwater": "Waterschappen en boeren over zoetwatervoorziening in droge zomers.",
    "communitymanagers": "Voor iedereen die een werkruimte of groep op Doeplein begeleidt: tips, vragen en moderatie.",
    "training-avg": "De verplichte AVG-training voor iedereen die met persoonsgegevens van inwoners werkt.",
    "open-koffie": "Elke vrijdag om tien uur: koffie en een praatje, voor iedereen op het platform.",
    "crisisteam": "Afstemming bij calamiteiten.",
}


def groups_demo_data(progress):
    from doeplein.accounts.models import User
    from doeplein.spaces.demo import (
        DEMO_OWNER,
        demo_people,
        ensure_members,
        ensure_open_invitations,
        ensure_pending_requests,
    )
    from doeplein.spaces.models import Role

    from .actions import do_create_group
    from .models import Group

    owner = User.objects.filter(email=DEMO_OWNER).first()
    people = demo_people()
    if owner is None or not people:
        progress(len(GROUPS))
        return
    # Group roles: owner, admin (community manager), member.
    roles = [Role.OWNER, Role.COMMUNITY_MANAGER, Role.MEMBER, Role.MEMBER, Role.MEMBER]
    for index, (name, slug, workspace_slug, policy, visibility, allow_leaving) in enumerate(GROUPS):
        with transaction.atomic():
            # The demo's parent spaces are named by their slug; any kind with that slug will do.
            parent = _parent_by_slug(owner, workspace_slug) if workspace_slug else None
            if workspace_slug and parent is None:  # the step that makes that space did not run
                progress(1)
                continue
            group = Group.objects.filter(parent=parent, slug=slug).first()
            if group is None:
                group = do_create_group(
                    user=owner,
                    name=name,
                    slug=slug,
                    parent=parent,
                    policy=policy,
                    visibility=visibility,
                    allow_leaving=allow_leaving,
                    description=DESCRIPTIONS.get(slug, name),
                    welcome_message=f"Welkom bij {name}! Kijk bij de bestanden voor de afspraken.",
                )
            ensure_members(group, people, index * 3 + 1, roles[: 3 + index % 3])
            if policy == "request":
                ensure_pending_requests(group, people, index * 3 + 20)
            if policy in ("invitation", "secret"):
                ensure_open_invitations(group, owner, [f"genodigde.{slug}@voorbeeld.nl"])
        progress(1)


def _parent_by_slug(owner, slug):
    from django.http import Http404

    from doeplein.spaces.kinds import find_by_slug

    from .models import Group

    try:
        return find_by_slug(owner, slug, exclude=(Group.KIND,))
    except Http404:
        return None


STEPS = len(GROUPS)
