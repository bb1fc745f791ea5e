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

FIRST = ["Anouk", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gijs", "Hanna", "Ismail", "Joris", "Kim", "Lotte",
         "Mohammed", "Noor", "Olaf", "Priya", "Quinten", "Roos", "Sem", "Tess", "Umut", "Vera", "Wouter", "Yara"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer"]
ORGS = ["Ministerie van BZK", "Gemeente Utrecht", "Provincie Gelderland", "Waterschap Rivierenland",
        "Gemeente Zwolle", "Buurtinitiatief De Groene Wijk", "Stichting Jeugd Vooruit", "Rijkswaterstaat"]
JOBS = ["beleidsmedewerker", "communitymanager", "projectleider", "wijkcoördinator", "adviseur participatie",
        "jeugdconsulent", "data-analist", "bewoner en initiatiefnemer"]
SKILLS = ["participatie", "ruimtelijke ordening", "AVG", "co-creatie", "wateropgave", "jeugdrecht",
          "data-analyse", "facilitatie", "energie", "communicatie", "wetgeving", "open data"]
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
    profile.skills.set([SKILLS[index % len(SKILLS)], SKILLS[(index + 3) % len(SKILLS)], SKILLS[(index + 5) % len(SKILLS)]])
    profile.themes.set(Theme.objects.order_by("pk")[index % 3 : index % 3 + 2])
    profile.entries.create(kind="experience", title=profile.job_title, organisation=profile.organisation, start_year=2015 + index % 8)
    profile.entries.create(kind="education", title="Bestuurskunde", organisation="Universiteit Leiden", start_year=2008, end_year=2012)
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
        first = {"platform administrator": "Beheer", "civil servant": "Amira", "citizen": "Bas", "professional": "Petra"}[role]
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
    return [DemoData(key="core.people", run=core_demo_data, steps=1 + len(DEMO_LOGINS) + PEOPLE, order=0)]


DESCRIPTION = _("People, profiles and themes")
