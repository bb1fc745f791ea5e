"""The core's demo data: people with profiles, themes, the roles. Idempotent: run it as often as you like."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_DEMO_DATA, DemoData

DEMO_PASSWORD = "doeplein-demo"
DEMO_LOGINS = [
    ("platform administrator", "admin@doeplein.example", DEMO_PASSWORD),
    ("civil servant", "ambtenaar@minbzk.nl", DEMO_PASSWORD),
    ("citizen", "burger@doeplein.example", DEMO_PASSWORD),
    ("professional", "professional@doeplein.example", DEMO_PASSWORD),
]

THEMES = [
    ("Klimaatadaptatie", "klimaatadaptatie", "Wateroverlast, hitte en droogte in stad en land."),
    ("Jeugdzorg", "jeugdzorg", "Hulp voor kinderen en gezinnen, dichtbij en op tijd."),
    ("Doe-democratie", "doe-democratie", "Burgerinitiatieven en de overheid als partner."),
    ("Energietransitie", "energietransitie", "Wijken van het gas af, samen met bewoners."),
    ("Digitale overheid", "digitale-overheid", "Open standaarden, privacy en dienstverlening online."),
    ("Wonen", "wonen", "Betaalbare, veilige en energiezuinige woningen."),
]

FIRST = [
    "Anouk",
    "Bram",
    "Chantal",
    "Daan",
    "Eva",
    "Fatima",
    "Gijs",
    "Hanna",
    "Ismail",
    "Joris",
    "Kim",
    "Lotte",
    "Mohammed",
    "Noor",
    "Olaf",
    "Priya",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
    "Umut",
    "Vera",
    "Wouter",
    "Yara",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
]
ORGS = [
    "Ministerie van BZK",
    "Gemeente Utrecht",
    "Provincie Gelderland",
    "Waterschap Rivierenland",
    "Gemeente Zwolle",
    "Buurtinitiatief De Groene Wijk",
    "Stichting Jeugd Vooruit",
    "Rijkswaterstaat",
]
JOBS = [
    "beleidsmedewerker",
    "communitymanager",
    "projectleider",
    "wijkcoördinator",
    "adviseur participatie",
    "jeugdconsulent",
    "data-analist",
    "bewoner en initiatiefnemer",
]
SKILLS = [
    "participatie",
    "ruimtelijke ordening",
    "AVG",
    "co-creatie",
    "wateropgave",
    "jeugdrecht",
    "data-analyse",
    "facilitatie",
    "energie",
    "communicatie",
    "wetgeving",
    "open data",
]
PEOPLE = 40
_hashes = {}


def _password_hash(password):
    # Hashing is slow on purpose; the demo's people share one password, so hash it once.
    from django.contrib.auth.hashers import make_password

    if password not in _hashes:
        _hashes[password] = make_password(password)
    return _hashes[password]


def _person(index):
    first = FIRST[index % len(FIRST)]
    last = LAST[(index * 7) % len(LAST)]
    return first, last, f"{first.lower()}.{last.lower().replace(' ', '')}{index}@doeplein.example"


@transaction.atomic
def _ensure_user(email, first, last, password, index):
    from allauth.account.models import EmailAddress

    from doeplein.accounts.actions import do_grant_role, ensure_profile, is_civil_servant_email
    from doeplein.accounts.models import User
    from doeplein.home.models import Theme

    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None, first_name=first, last_name=last)
    user.password = _password_hash(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = ensure_profile(user)
    profile.organisation = ORGS[index % len(ORGS)]
    profile.job_title = JOBS[index % len(JOBS)]
    profile.bio = f"{first} werkt aan {SKILLS[index % len(SKILLS)]} en {SKILLS[(index + 3) % len(SKILLS)]}."
    profile.suggestible = index % 3 != 0
    profile.save()
    profile.skills.set(
        [SKILLS[index % len(SKILLS)], SKILLS[(index + 3) % len(SKILLS)], SKILLS[(index + 5) % len(SKILLS)]]
    )
    profile.themes.set(Theme.objects.order_by("pk")[index % 3 : index % 3 + 2])
    profile.entries.create(
        kind="experience",
        title=profile.job_title,
        organisation=profile.organisation,
        start_year=2015 + index % 8,
    )
    profile.entries.create(
        kind="education",
        title="Bestuurskunde",
        organisation="Universiteit Leiden",
        start_year=2008,
        end_year=2012,
    )
    if is_civil_servant_email(email):
        do_grant_role(actor=None, user=user, role="civil_servant")
    return user, True


def core_demo_data(progress):
    from doeplein.accounts.actions import do_grant_role
    from doeplein.home.models import Theme

    for name, slug, description in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    progress(1)
    for index, (role, email, password) in enumerate(DEMO_LOGINS):
        first = {
            "platform administrator": "Beheer",
            "civil servant": "Amira",
            "citizen": "Bas",
            "professional": "Petra",
        }[role]
        user, created = _ensure_user(email, first, "Demo", password, index)
        if created and role == "platform administrator":
            do_grant_role(actor=None, user=user, role="platform_admin")
        progress(1)
    for index in range(PEOPLE):
        first, last, email = _person(index)
        _ensure_user(email, first, last, DEMO_PASSWORD, index)
        progress(1)


@hooks.register(HOOK_DEMO_DATA)
def demo_data_steps():
    return [
        DemoData(key="core.people", run=core_demo_data, steps=1 + len(DEMO_LOGINS) + PEOPLE, order=0),
        # After the plugins' steps: the rooms of their spaces get conversations.
        DemoData(key="core.face", run=face_demo_data, steps=3, order=1000),
    ]


DESCRIPTION = _("People, profiles and themes")


AVATAR_TONES = ["#154273", "#8b4513", "#39870c", "#a90061", "#42145f", "#01689b", "#ca005d", "#275937"]


def initials_avatar(first, last, tone):
    """A 256×256 PNG with the person's initials, drawn locally with Pillow (no outside service)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (256, 256), tone)
    draw = ImageDraw.Draw(image)
    text = (first[:1] + last[:1]).upper()
    try:
        font = ImageFont.load_default(size=110)
    except TypeError:  # Pillow before 10.1: a small bitmap font
        font = ImageFont.load_default()
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((256 - box[2] - box[0]) / 2, (256 - box[3] - box[1]) / 2), text, fill="#ffffff", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def face_demo_data(progress):
    """The site's face: house style and contact details, the privacy and accessibility statements,
    pictures for most people and conversations in the public rooms."""
    from django.core.files.base import ContentFile
    from wagtail.models import Site

    from doeplein.accounts.models import Profile
    from doeplein.home.models import HomePage, SiteSettings, StatementPage

    site = Site.objects.filter(is_default_site=True).first()
    home = HomePage.objects.first()
    if site is not None and home is not None:
        settings_ = SiteSettings.for_site(site)
        pages = {}
        for slug, title, intro, body in STATEMENTS:
            page = StatementPage.objects.filter(slug=slug).first()
            if page is None:
                page = home.add_child(instance=StatementPage(title=title, slug=slug, intro=intro, body=body))
            pages[slug] = page
        if not settings_.contact_email:
            settings_.tagline = "Samenwerken aan publieke zaken"
            settings_.contact_email = "contact@doeplein.example"
            settings_.contact_phone = "070 123 45 67"
            settings_.contact_address = "Postbus 20011\n2500 EA Den Haag"
            settings_.privacy_page = pages["privacyverklaring"]
            settings_.accessibility_page = pages["toegankelijkheidsverklaring"]
            settings_.save()
    progress(1)
    for index, profile in enumerate(Profile.objects.select_related("user").order_by("pk")):
        if profile.avatar or index % 4 == 3:  # some people keep no picture, as in real life
            continue
        user = profile.user
        data = initials_avatar(
            user.first_name or "?", user.last_name or "", AVATAR_TONES[user.pk % len(AVATAR_TONES)]
        )
        profile.avatar.save(f"avatar-{user.pk}.png", ContentFile(data), save=False)
        Profile.objects.filter(pk=profile.pk).update(avatar=profile.avatar.name)
    progress(1)
    _demo_conversations()
    progress(1)


STATEMENTS = [
    (
        "privacyverklaring",
        "Privacyverklaring",
        "Welke gegevens we van je bewaren, waarom, en wat je rechten zijn.",
        "<h2>Welke gegevens</h2><p>Je naam, e-mailadres en wat je zelf in je profiel zet. Per veld kies je wie het ziet.</p>"
        "<h2>Waarom</h2><p>Om samen te kunnen werken in werkruimtes en groepen. We verkopen niets en tonen geen advertenties.</p>"
        "<h2>Je rechten</h2><p>Je kunt je gegevens downloaden en je account verwijderen via je profiel.</p>",
    ),
    (
        "toegankelijkheidsverklaring",
        "Toegankelijkheidsverklaring",
        "We willen dat iedereen dit platform kan gebruiken.",
        "<h2>Status</h2><p>Dit platform voldoet aan de WCAG 2.1 op niveau AA. Elke pagina wordt automatisch getest met axe-core.</p>"
        "<h2>Iets werkt niet?</h2><p>Laat het ons weten via het contactadres onderaan de pagina; we reageren binnen vijf werkdagen.</p>",
    ),
]

CONVERSATION = [
    "Goedemorgen allemaal! Wie is er vrijdag bij het overleg?",
    "Ik ben er. Zal ik de notulen van vorige keer meenemen?",
    "Graag! @{first} had nog een vraag over de planning, toch?",
    "Klopt: lukt het om de conceptversie voor de zomer klaar te hebben?",
    "Dat moet lukken als we de inspraakreacties deze maand verwerken.",
    "Top, dan zet ik het op de agenda.",
]


def _demo_conversations():
    import uuid

    from doeplein.discussion.actions import do_send_message, get_or_create_room
    from doeplein.discussion.models import Message
    from doeplein.spaces.models import Membership, Space

    for space in Space.objects.filter(visibility__in=["public", "logged_in"], is_archived=False).order_by(
        "pk"
    )[:12]:
        members = [
            m.user for m in Membership.objects.filter(space=space).select_related("user").order_by("pk")[:4]
        ]
        if len(members) < 2:
            continue
        room = get_or_create_room(space=space, title=space.name)
        if Message.objects.filter(room=room).exists():
            continue
        for index, line in enumerate(CONVERSATION):
            author = members[index % len(members)]
            body = line.format(first=members[(index + 1) % len(members)].first_name)
            try:
                do_send_message(user=author, room=room, body=body, client_id=uuid.uuid4().hex)
            except Exception:  # a filter, mute or slow mode in the demo: skip the line, keep the rest  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
                continue
