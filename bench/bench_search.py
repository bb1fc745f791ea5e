"""Benchmark: the site search for an anonymous visitor, a member of 50 spaces and an administrator.

Builds (once, idempotently) a platform of N people with profiles, S groups of every visibility inside
W workspaces on themes, memberships (one person is a member of 50 spaces), and M discussion messages of
realistic Dutch and English text — the content that exists today; posts, comments and files come with
the blogs and files plugins. Then it times the index build (``rebuild``) and ten realistic queries
(one word, two words, a phrase, a prefix, an OR, filters by theme, space, type and person) through
:func:`doeplein.search.selectors.search` (results, count and every facet), and prints per searcher the
median and p95 as ratios to a one-query baseline measured in the same run: a single indexed
``SearchDocument`` lookup, the cheapest query a search page could make.

Use a dedicated database (created if missing, then migrated):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench_search .venv/bin/python bench/bench_search.py \\
        --people 5000 --groups 500 --messages 100000
"""

# ruff: noqa: T201 - a benchmark prints its figures

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
os.environ.setdefault("DEBUG", "1")

DOMAIN = "@search.bench.example"
NL = (
    "de gemeente werkt aan dijkversterking en waterveiligheid langs de rivier met bewoners en het waterschap "
    "klimaatadaptatie vraagt om groene daken hittestress en wateropvang in de wijk de jeugdzorg in utrecht "
    "zoekt samenwerking tussen wijkteams scholen en huisartsen de energietransitie brengt warmtenetten "
    "subsidie voor isolatie en zonnepanelen het beleid voor wonen vraagt om betaalbare huizen en "
    "participatie van inwoners bij het omgevingsplan de provincie bespreekt stikstof natuur en landbouw"
).split()
EN = (
    "the flood barriers protect the city while engineers inspect the dikes and the water board plans "
    "maintenance climate adaptation needs green roofs heat stress and water storage youth care in utrecht "
    "needs cooperation between schools and doctors the energy transition brings heat networks grants for "
    "insulation and solar panels housing policy asks for affordable homes and citizen participation"
).split()
QUERIES = [
    ("one word", {"q": "dijkversterking"}),
    ("one word, common", {"q": "gemeente"}),
    ("two words", {"q": "jeugdzorg utrecht"}),
    ("phrase", {"q": '"flood barriers"'}),
    ("prefix", {"q": "klimaat*"}),
    ("either", {"q": "warmtenetten OR zonnepanelen"}),
    ("word + theme", {"q": "subsidie", "theme": "THEME"}),
    ("word + space", {"q": "beleid", "space": "SPACE"}),
    ("word + type", {"q": "water", "types": ["message"]}),
    ("word + person", {"q": "participatie", "person": "PERSON"}),
]


def text(rng, words=25):
    vocabulary = NL if rng.random() < 0.7 else EN
    start = rng.randrange(len(vocabulary))
    return " ".join(vocabulary[(start + i * rng.randrange(1, 4)) % len(vocabulary)] for i in range(words))


def build(args):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from tqdm import tqdm

    from doeplein.accounts.models import Profile, User
    from doeplein.discussion.models import Message, Room
    from doeplein.home.models import Theme
    from doeplein.spaces.models import Membership, Role, Visibility
    from groups.models import Group, GroupPolicy
    from workspaces.models import Workspace

    rng = random.Random(42)
    have = User.objects.filter(email__endswith=DOMAIN).count()
    if have < args.people:
        password = make_password("bench")
        for start in tqdm(range(have, args.people, 2000), desc="people"):
            users = User.objects.bulk_create(
                [User(email=f"p{i}{DOMAIN}", password=password, first_name=f"Persoon{i}", last_name=rng.choice(NL))
                 for i in range(start, min(start + 2000, args.people))]
            )  # fmt: skip
            Profile.objects.bulk_create(
                [Profile(user=u, bio=text(rng, 30), organisation=rng.choice(["Gemeente", "Provincie", "Rijk"]),
                         audience={"bio": rng.choice(["everyone", "logged_in", "only_me"])}) for u in users]
            )  # fmt: skip
    themes = [
        Theme.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Thema {n}"})[0] for n in range(10)
    ]
    if Workspace.objects.filter(slug__startswith="bench-").count() < args.workspaces:
        for i in tqdm(range(args.workspaces), desc="workspaces"):
            ws, _ = Workspace.objects.get_or_create(
                slug=f"bench-{i}", defaults={"name": f"Werkruimte {i}", "visibility": list(Visibility.values)[i % 4],
                                             "description": text(rng, 12)}
            )  # fmt: skip
            ws.themes.set([themes[i % 10]])
            ws.save()
    workspaces = list(Workspace.objects.filter(slug__startswith="bench-"))
    if Group.objects.filter(slug__startswith="bench-").count() < args.groups:
        for i in tqdm(range(args.groups), desc="groups"):
            policy = [GroupPolicy.OPEN, GroupPolicy.REQUEST, GroupPolicy.INVITATION, GroupPolicy.SECRET][
                i % 4
            ]
            Group.objects.get_or_create(
                slug=f"bench-{i}", scope=workspaces[i % len(workspaces)].pk,
                defaults={"name": f"Groep {i} {rng.choice(NL)}", "policy": policy, "description": text(rng, 15),
                          "parent": workspaces[i % len(workspaces)], "visibility": "public" if i % 4 == 0 else "members"},
            )  # fmt: skip
    spaces = [w.pk for w in workspaces] + list(
        Group.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
    )
    user_ids = list(User.objects.filter(email__endswith=DOMAIN).values_list("pk", flat=True))
    member_id = user_ids[0]
    if not Membership.objects.filter(user_id=member_id).exists():
        rows = [
            Membership(user_id=member_id, space_id=sid, role=Role.MEMBER)
            for sid in rng.sample(spaces, min(50, len(spaces)))
        ]
        for uid in user_ids[1:]:
            rows += [Membership(user_id=uid, space_id=sid, role=Role.MEMBER) for sid in rng.sample(spaces, 3)]
        Membership.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    rooms = {r.space_id: r for r in Room.objects.filter(space_id__in=spaces, target_type__isnull=True)}
    for sid in spaces:
        if sid not in rooms:
            rooms[sid] = Room.objects.create(space_id=sid, title=f"Overleg {sid}")
    have = Message.objects.filter(room__in=rooms.values()).count()
    room_list = list(rooms.values())
    now = timezone.now()
    for start in tqdm(range(have, args.messages, 5000), desc="messages"):
        Message.objects.bulk_create(
            [Message(room=room_list[i % len(room_list)], seq=i + 1, author_id=rng.choice(user_ids),
                     client_id=f"b{i}", body=text(rng, rng.randrange(10, 60)))
             for i in range(start, min(start + 5000, args.messages))], batch_size=5000,
        )  # fmt: skip
    Message.objects.filter(created_at__gte=now).update(created_at=now)  # bulk rows: one date is fine
    return member_id, themes[3].pk, workspaces[1].pk


def timings(fn, repeat):
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--workspaces", type=int, default=50)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--skip-build", action="store_true", help="Do not rebuild the index (reuse the last one)."
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Run with DATABASE_URL=postgres://… (a dedicated database).")
    call_command("migrate", verbosity=0)
    from doeplein.accounts.models import User
    from doeplein.search.indexing import rebuild, total_rows
    from doeplein.search.models import SearchDocument
    from doeplein.search.selectors import SearchParams, search

    member_id, theme_id, space_id = build(args)
    member = User.objects.get(pk=member_id)
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        f"admin{DOMAIN}", "x"
    )
    if not args.skip_build or not SearchDocument.objects.exists():
        rows = total_rows()
        started = time.perf_counter()
        written = rebuild()
        seconds = time.perf_counter() - started
        print(f"index build: {rows} rows -> {sum(written.values())} documents in {seconds:.1f} s "
              f"({rows / seconds:.0f} rows/s; {written})")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    some_doc = SearchDocument.objects.order_by("pk").values_list("pk", flat=True)[
        SearchDocument.objects.count() // 2
    ]
    base_median, base_p95 = timings(lambda: list(SearchDocument.objects.filter(pk=some_doc)), args.repeat * 3)
    print(f"platform: {User.objects.count()} people, {SearchDocument.objects.count()} documents; "
          f"{args.repeat} runs per query; baseline one indexed lookup: median {base_median:.2f} ms, p95 {base_p95:.2f} ms")  # fmt: skip

    def params(spec):
        values = {k: (theme_id if v == "THEME" else space_id if v == "SPACE" else member_id if v == "PERSON" else v)
                  for k, v in spec.items()}  # fmt: skip
        return SearchParams(**values)

    print(
        f"{'query':<20}"
        + "".join(f"{who:>30}" for who in ("anonymous", "member of 50 spaces", "administrator"))
    )
    overall = {"anonymous": [], "member": [], "admin": []}
    for label, spec in QUERIES:
        cells = []
        for key, user in (("anonymous", AnonymousUser()), ("member", member), ("admin", admin)):
            total = search(user=user, params=params(spec)).total
            median, p95 = timings(
                lambda user=user, spec=spec: search(user=user, params=params(spec)), args.repeat
            )
            overall[key].append((median, p95))
            cells.append(f"{median:7.1f}/{p95:7.1f} ms {median / base_median:6.0f}x n={total:<6}")
        print(f"{label:<20}" + "".join(f"{c:>30}" for c in cells))
    for key, values in overall.items():
        medians = sorted(m for m, _ in values)
        p95s = sorted(p for _, p in values)
        print(f"{key:<13} median of query medians {statistics.median(medians):.1f} ms "
              f"({statistics.median(medians) / base_median:.0f}x baseline), worst p95 {p95s[-1]:.1f} ms "
              f"({p95s[-1] / base_median:.0f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
