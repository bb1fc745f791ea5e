"""Benchmark: the site search for an anonymous visitor, a member of 50 spaces and an administrator.

Builds (once, idempotently, in bulk SQL: generate_series and INSERT … SELECT, a few minutes) the benchmark
platform of issue 12: 50,000 people with profiles, 500 workspaces on ten themes, 5,000 groups of every
visibility inside them, memberships (three spaces each; one person in 50), 100,000 blog posts,
1,000,000 comments, 700,000 files (two in three with extracted text) and 100,000 discussion messages,
of Dutch and English text (seven in ten Dutch) drawn from a skewed vocabulary. Then it times the index
build for the whole platform (``rebuild``: the set-based path) and ten realistic queries (one word, two
words, a phrase, a prefix, an OR, filters by theme, space, type and person) through
:func:`doeplein.search.selectors.search` (results, total and every facet), and prints per searcher the
median and p95 as ratios to a one-query baseline measured in the same run: a single indexed
``SearchDocument`` lookup, the cheapest query a search page could make.

Use a dedicated database (created if missing, then migrated); the full scale is a heavy run:
    flock /work/brief/heavy.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench_search \
        .venv/bin/python bench/bench_search.py --repeat 5
Smaller: ``--people 2000 --workspaces 20 --groups 200 --posts 4000 --comments 40000 --files 28000
--messages 4000``. ``--only-data`` stops after generating, ``--skip-build`` reuses the last index.
"""

# ruff: noqa: T201 - a benchmark prints its figures

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
os.environ.setdefault("DEBUG", "1")

DOMAIN = "@search.bench.example"
# Vocabularies ordered from common to rare: a word's index is drawn with a skew (power of a uniform),
# so the first words are in most documents and the topical ones (dijkversterking, zeppelin…) in few,
# as in real text. Multi-word items ("flood barriers") keep phrases whole.
NL = (
    "de het een en van in is dat op te voor met zijn niet aan er ook als bij maar om nog wel naar dan "
    "wat worden wordt hebben heeft kan over door deze dit uit tot ze we gemeente wijk inwoners plan "
    "beleid bewoners provincie samenwerking project overleg voorstel rapport besluit raad college "
    "water rivier dijken waterschap natuur landbouw wonen huizen energie subsidie isolatie onderwijs "
    "scholen huisartsen wijkteams zorg jeugdzorg utrecht amsterdam rotterdam den haag groningen "
    "participatie omgevingsplan klimaatadaptatie klimaatakkoord klimaatbeleid hittestress wateropvang "
    "groene daken warmtenetten zonnepanelen stikstof energietransitie betaalbare mobiliteit fietspad "
    "dijkversterking waterveiligheid waterkering bodemdaling veenweide digitalisering privacy "
    "informatiebeveiliging archief woo inkoop aanbesteding begroting jaarrekening zeppelinhaven"
).split()
EN = (
    "the a an and of in is that on to for with are not at it as by but or this from be have has was "
    "were will can we you they which what about city council plan policy citizens region project "
    "meeting proposal report decision water river dikes board nature farming housing homes energy "
    "grants insulation schools doctors care youth utrecht amsterdam participation climate adaptation "
    "heat stress storage green roofs networks solar panels transition affordable mobility cycling "
    "engineers inspect maintenance safety digital privacy security archive procurement budget"
).split() + ["flood barriers", "youth care", "heat networks", "flood barriers"]
QUERIES = [
    ("one word", {"q": "dijkversterking"}),
    ("one word, common", {"q": "gemeente"}),
    ("two words", {"q": "jeugdzorg utrecht"}),
    ("phrase", {"q": '"flood barriers"'}),
    ("prefix", {"q": "klimaat*"}),
    ("either", {"q": "warmtenetten OR zonnepanelen"}),
    ("word + theme", {"q": "subsidie", "theme": "THEME"}),
    ("word + space", {"q": "beleid", "space": "SPACE"}),
    ("word + type", {"q": "water", "types": ["post"]}),
    ("word + person", {"q": "participatie", "person": "PERSON"}),
]

TEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_text(n bigint, skew float8, lang int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN lang = 0
    THEN (SELECT string_agg(v[1 + floor(power(random(), skew) * array_length(v, 1))::int], ' ')
          FROM (SELECT %(nl)s::text[] AS v) w, generate_series(1, n))
    ELSE (SELECT string_agg(v[1 + floor(power(random(), skew) * array_length(v, 1))::int], ' ')
          FROM (SELECT %(en)s::text[] AS v) w, generate_series(1, n)) END
$$;
DROP TABLE IF EXISTS bench_pool;
CREATE TABLE bench_pool AS SELECT id, bench_text(10, 2.0, id %% 2) AS t FROM generate_series(0, 19999) id;
ALTER TABLE bench_pool ADD PRIMARY KEY (id);
ANALYZE bench_pool;
"""
PRIMES = (7919, 104729, 1299709, 15485863, 179424673, 982451653, 32452843, 49979687, 86028121, 67867967)


def pieces(n, key, seed=0):
    """(joins, text): ``n`` ten-word pieces of the pool for row ``key``, all in one language (7 in 10
    Dutch): bulk text that is cheap to make and varied (10,000 pieces per language, combined)."""
    joins, parts = [], []
    for k in range(n):
        alias = f"p{seed}_{k}"
        joins.append(
            f"JOIN bench_pool {alias} ON {alias}.id = 2 * ((({key}) * {PRIMES[k]} + {seed}) %% 10000) "
            f"+ (({key}) %% 10 >= 7)::int"
        )
        parts.append(f"{alias}.t")
    return " ".join(joins), " || ' ' || ".join(parts)


def sql_build(args):
    """The platform in bulk SQL (generate_series, INSERT … SELECT): people with profiles, workspaces on
    themes, groups inside them, memberships (one person in 50 spaces), posts, comments, files with
    extracted text, and discussion messages. Idempotent: each part is added when it is missing."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    steps = []

    def run(label, sql, params=()):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        steps.append((label, time.perf_counter() - started))
        print(f"  {label}: {steps[-1][1]:.1f} s", flush=True)

    def count(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    run("text function", TEXT_FUNCTION, {"nl": NL, "en": EN})
    run(
        "themes",
        "INSERT INTO home_theme (name, slug, description) SELECT 'Thema ' || t, 'bench-' || t, '' "
        "FROM generate_series(0, 9) t WHERE NOT EXISTS (SELECT 1 FROM home_theme h WHERE h.slug = 'bench-' || t)",
    )
    bio_joins, bio = pieces(3, "u.id")
    if count(f"SELECT count(*) FROM accounts_user WHERE email LIKE '%%{DOMAIN}'") < args.people:
        run(
            "people",
            "INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active, "
            "date_joined, email, is_deleted) SELECT %s, false, 'Persoon' || i, "
            "(ARRAY['de Vries','Jansen','Bakker','Visser','Smit','Meijer','de Boer','Mulder'])[1 + i %% 8], "
            "false, true, now() - (i %% 900) * interval '1 day', 'p' || i || %s, false "
            "FROM generate_series(0, %s - 1) i ON CONFLICT DO NOTHING",
            [make_password("bench"), DOMAIN, args.people],
        )
        run(
            "profiles",
            "INSERT INTO accounts_profile (organisation, job_title, avatar, bio, audience, suggestible, "
            "updated_at, user_id, digest, language) SELECT "
            "(ARRAY['Gemeente Utrecht','Provincie Gelderland','Rijkswaterstaat','Waterschap Rivierenland'])[1 + u.id %% 4], "
            f"(ARRAY['beleidsmedewerker','projectleider','adviseur','jurist'])[1 + u.id %% 4], '', {bio}, "
            "jsonb_build_object('bio', (ARRAY['everyone','logged_in','only_me'])[1 + u.id %% 3]), true, "
            f"now() - (u.id %% 400) * interval '1 day', u.id, 'off', '' FROM accounts_user u {bio_joins} "
            "WHERE u.email LIKE %s AND NOT EXISTS (SELECT 1 FROM accounts_profile p WHERE p.user_id = u.id)",
            [f"%{DOMAIN}"],
        )
    if count("SELECT count(*) FROM workspaces_workspace WHERE slug LIKE 'bench-%%'") < args.workspaces:
        run(
            "workspaces",
            "WITH s AS (INSERT INTO access_space (kind, name, visibility, is_archived, created_at, parent_id, "
            "allow_leaving, join_policy, last_activity_at, member_count, welcome_message) "
            "SELECT 'workspace', 'Werkruimte ' || i, (ARRAY['public','logged_in','members','secret'])[1 + i %% 4], "
            "false, now() - i * interval '1 hour', NULL, true, 'open', now() - i * interval '1 minute', 0, '' "
            "FROM generate_series(0, %s - 1) i RETURNING id, name) "
            "INSERT INTO workspaces_workspace (space_ptr_id, slug, description, welcome, created_by_id) "
            "SELECT s.id, 'bench-' || s.id, left(bench_text(12, 2.0, (s.id %% 10 >= 7)::int), 200), '<p>' || bench_text(20, 2.0, 0) || '</p>', "
            "(SELECT min(id) FROM accounts_user) + s.id %% %s FROM s",
            [args.workspaces, args.people],
        )
        run(
            "workspace themes",
            "INSERT INTO workspaces_workspace_themes (workspace_id, theme_id) SELECT w.space_ptr_id, t.id "
            "FROM workspaces_workspace w JOIN home_theme t ON t.slug = 'bench-' || (w.space_ptr_id %% 10) "
            "WHERE w.slug LIKE 'bench-%%' ON CONFLICT DO NOTHING",
        )
    if count("SELECT count(*) FROM groups_group WHERE slug LIKE 'bench-%%'") < args.groups:
        run(
            "groups",
            "WITH ws AS (SELECT array_agg(space_ptr_id ORDER BY space_ptr_id) a FROM workspaces_workspace "
            "WHERE slug LIKE 'bench-%%'), s AS (INSERT INTO access_space (kind, name, visibility, is_archived, "
            "created_at, parent_id, allow_leaving, join_policy, last_activity_at, member_count, welcome_message) "
            "SELECT 'group', 'Groep ' || i, (ARRAY['public','logged_in','members','secret'])[1 + i %% 4], false, "
            "now() - i * interval '1 minute', ws.a[1 + i %% array_length(ws.a, 1)], true, 'open', now(), 0, '' "
            "FROM generate_series(0, %s - 1) i, ws RETURNING id, parent_id, visibility) "
            "INSERT INTO groups_group (space_ptr_id, slug, description, policy, created_by_id, scope) "
            "SELECT s.id, 'bench-' || s.id, bench_text(15, 2.0, (s.id %% 10 >= 7)::int), "
            "CASE s.visibility WHEN 'secret' THEN 'secret' WHEN 'members' THEN 'invitation' ELSE 'open' END, "
            "(SELECT min(id) FROM accounts_user) + s.id %% %s, s.parent_id FROM s",
            [args.groups, args.people],
        )
    if not count("SELECT count(*) FROM access_membership"):
        # Person 0 is a member of 50 spaces; everyone else of three, at random.
        run(
            "memberships",
            "WITH sp AS (SELECT array_agg(id ORDER BY id) a FROM access_space WHERE kind IN ('workspace', 'group')), "
            "u AS (SELECT id FROM accounts_user WHERE email LIKE %s) "
            "INSERT INTO access_membership (role, created_at, user_id, space_id) "
            "SELECT DISTINCT 20, now(), user_id, space_id FROM (SELECT u.id AS user_id, "
            "sp.a[1 + floor(random() * array_length(sp.a, 1))::int] AS space_id "
            "FROM u, sp, generate_series(1, 3)) picks ON CONFLICT DO NOTHING",
            [f"%{DOMAIN}"],
        )
        run(
            "member of 50",
            "INSERT INTO access_membership (role, created_at, user_id, space_id) "
            "SELECT 20, now(), (SELECT min(id) FROM accounts_user WHERE email LIKE %s), id "
            "FROM access_space WHERE kind IN ('workspace', 'group') ORDER BY md5(id::text) LIMIT 50 "
            "ON CONFLICT DO NOTHING",
            [f"%{DOMAIN}"],
        )
        run(
            "member counts",
            "UPDATE access_space SET member_count = (SELECT count(*) FROM access_membership m "
            "WHERE m.space_id = access_space.id)",
        )
    users = "(SELECT min(id) FROM accounts_user WHERE email LIKE '%%" + DOMAIN + "')"
    spaces = "(SELECT array_agg(id ORDER BY id) a FROM access_space WHERE kind IN ('workspace', 'group'))"
    have = count("SELECT count(*) FROM blogs_post")
    if have < args.posts:
        title_joins, title = pieces(1, "i", seed=1)
        summary_joins, summary = pieces(2, "i", seed=2)
        body_joins, body = pieces(10, "i", seed=3)
        run(
            "posts",
            f"WITH sp AS {spaces}, u0 AS (SELECT {users} AS id) "
            "INSERT INTO blogs_post (live, has_unpublished_changes, first_published_at, last_published_at, "
            "expired, locked, visibility, title, summary, body, cover_alt, comments_closed, comment_count, "
            "reading_minutes, created_at, updated_at, attachments, author_id, space_id) "
            f"SELECT true, false, d, d, false, false, 'space', initcap(left({title}, 80)), {summary}, "
            f"'<p>' || {body} || '</p>', '', false, 0, 1, d, d, '[]'::jsonb, "
            "u0.id + (i * 7919) %% %s, sp.a[1 + (i * 104729) %% array_length(sp.a, 1)] "
            "FROM generate_series(%s::bigint, %s::bigint - 1) i CROSS JOIN sp CROSS JOIN u0 "
            "CROSS JOIN LATERAL (SELECT now() - (i %% 1500) * interval '1 day' - (i %% 86400) * interval '1 second' AS d) dd "
            f"{title_joins} {summary_joins} {body_joins}",
            [args.people, have, args.posts],
        )
    have = count("SELECT count(*) FROM blogs_comment")
    if have < args.comments:
        joins, body = pieces(3, "i", seed=4)
        run(
            "comments",
            "WITH p AS (SELECT min(id) lo, max(id) hi FROM blogs_post), u0 AS (SELECT " + users + " AS id) "
            "INSERT INTO blogs_comment (body, state, hidden_reason, created_at, author_id, post_id) "
            f"SELECT {body}, CASE WHEN i %% 50 = 0 THEN 'hidden' ELSE 'visible' END, '', "
            "now() - (i %% 1400) * interval '1 day', u0.id + (i * 31) %% %s, p.lo + (i * 7907) %% (p.hi - p.lo + 1) "
            f"FROM generate_series(%s::bigint, %s::bigint - 1) i CROSS JOIN p CROSS JOIN u0 {joins}",
            [args.people, have, args.comments],
        )
    have = count("SELECT count(*) FROM files_file")
    if have < args.files:
        exts = "(ARRAY['pdf','docx','odt','txt','xlsx','png'])"
        name_joins, name = pieces(1, "i", seed=5)
        text_joins, text = pieces(6, "i", seed=6)
        run(
            "files",
            f"WITH sp AS {spaces}, u0 AS (SELECT {users} AS id), f AS ("
            "INSERT INTO files_file (name, created_at, updated_at, version_count, size, content_type, search_text, "
            f"created_by_id, space_id) SELECT replace(split_part({name}, ' ', 3) || ' ' || split_part({name}, ' ', 6), ' ', '-') "
            f"|| '-' || i || '.' || {exts}[1 + i %% 6], d, d, 1, 1000 + i, 'application/octet-stream', "
            f"CASE WHEN i %% 6 < 4 THEN {text} ELSE '' END, u0.id + (i * 613) %% %s, "
            "sp.a[1 + (i * 15485863) %% array_length(sp.a, 1)] FROM generate_series(%s::bigint, %s::bigint - 1) i "
            "CROSS JOIN sp CROSS JOIN u0 CROSS JOIN LATERAL (SELECT now() - (i %% 1200) * interval '1 day' AS d) dd "
            f"{name_joins} {text_joins} RETURNING id, name, created_by_id, created_at) "
            "INSERT INTO files_fileversion (number, blob, size, sha256, content_type, original_name, note, "
            "uploaded_at, scan_status, scan_result, preview_status, preview_blob, preview_text, text_status, text, "
            "file_id, uploaded_by_id) SELECT 1, 'v/00/bench', 1000, repeat('0', 64), 'application/octet-stream', "
            "f.name, '', f.created_at, 'clean', '', 'none', '', '', 'done', '', f.id, f.created_by_id FROM f",
            [args.people, have, args.files],
        )
        run(
            "files' current version",
            "UPDATE files_file f SET current_id = v.id FROM files_fileversion v "
            "WHERE v.file_id = f.id AND f.current_id IS NULL",
        )
    have = count("SELECT count(*) FROM discussion_message")
    if have < args.messages:
        joins, body = pieces(2, "i", seed=7)
        run(
            "rooms",
            "INSERT INTO discussion_room (target_id, title, is_locked, slow_mode_seconds, last_seq, created_at, "
            "space_id) SELECT '', 'Overleg ' || s.name, false, 0, 0, now(), s.id FROM access_space s "
            "WHERE s.kind IN ('workspace', 'group') AND NOT EXISTS (SELECT 1 FROM discussion_room r "
            "WHERE r.space_id = s.id AND r.target_type_id IS NULL)",
        )
        run(
            "messages",
            "WITH r AS (SELECT array_agg(id ORDER BY id) a FROM discussion_room), u0 AS (SELECT "
            + users
            + " AS id) "
            "INSERT INTO discussion_message (seq, client_id, body, state, hidden_reason, pinned, created_at, "
            f"author_id, room_id) SELECT i + 1, 'b' || i, {body}, 'visible', '', false, "
            "now() - (i %% 700) * interval '1 hour', u0.id + (i * 17) %% %s, r.a[1 + i %% array_length(r.a, 1)] "
            f"FROM generate_series(%s::bigint, %s::bigint - 1) i CROSS JOIN r CROSS JOIN u0 {joins}",
            [args.people, have, args.messages],
        )
    run("analyze", "ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM accounts_user WHERE email = 'p0{DOMAIN}'")
        member_id = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM home_theme WHERE slug = 'bench-3'")
        theme_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT m.space_id FROM access_membership m JOIN access_space s ON s.id = m.space_id "
            "WHERE m.user_id = %s AND s.visibility = 'members' ORDER BY s.member_count DESC LIMIT 1",
            [member_id],
        )
        space_id = cursor.fetchone()[0]
    return member_id, theme_id, space_id, steps


def timings(fn, repeat):
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def ensure_database(db):
    """CREATE DATABASE ``db["NAME"]`` if it does not exist yet (through the server's ``postgres`` database)."""
    import psycopg
    from psycopg import sql

    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None, "dbname": "postgres"}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # The benchmark platform of issue 12 by default.
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--workspaces", type=int, default=500)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=700_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--skip-build", action="store_true", help="Do not rebuild the index (reuse the last one)."
    )
    parser.add_argument("--only-data", action="store_true", help="Generate the platform, then stop.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Run with DATABASE_URL=postgres://… (a dedicated database).")
    ensure_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the database cache when REDIS_URL is not set
    from doeplein.accounts.models import User
    from doeplein.search.indexing import rebuild, total_rows
    from doeplein.search.models import SearchDocument
    from doeplein.search.selectors import SearchParams, search

    started = time.perf_counter()
    print("data (bulk SQL):", flush=True)
    member_id, theme_id, space_id, steps = sql_build(args)
    print(f"data: {time.perf_counter() - started:.1f} s", flush=True)
    if args.only_data:
        return
    member = User.objects.get(pk=member_id)
    from doeplein.access import visible
    from doeplein.spaces.models import Space

    # The space filter's space: a members-only space the member may view (a group inside a workspace
    # the member is not in is hidden from them by the gate, and would measure an empty search).
    space_id = (
        visible(member, Space.objects.filter(memberships__user=member, visibility="members"))
        .values_list("pk", flat=True)
        .first()
        or space_id
    )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        f"admin{DOMAIN}", "x"
    )
    if not args.skip_build or not SearchDocument.objects.exists():
        rows = total_rows()
        started = time.perf_counter()
        written = rebuild()
        seconds = time.perf_counter() - started
        print(f"index build: {rows} rows -> {sum(written.values())} documents in {seconds:.1f} s "
              f"({rows / seconds:.0f} rows/s; {written}); load average "
              f"{Path('/proc/loadavg').read_text().split()[:3]}", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE search_searchdocument")
        cursor.execute("VACUUM ANALYZE wagtailsearch_indexentry")
    print(f"load average before the queries: {Path('/proc/loadavg').read_text().strip()}", flush=True)

    some_doc = SearchDocument.objects.order_by("pk").values_list("pk", flat=True)[
        SearchDocument.objects.count() // 2
    ]
    base_median, base_p95 = timings(lambda: list(SearchDocument.objects.filter(pk=some_doc)), args.repeat * 3)
    print(f"platform: {User.objects.count()} people, {SearchDocument.objects.count()} documents; "
          f"{args.repeat} runs per query; baseline one indexed lookup: median {base_median:.2f} ms, p95 {base_p95:.2f} ms")  # fmt: skip

    # The person filter's person: the author of the most comments with the query's word (what did they
    # write about it?). The generated text ties words to authors, so the member of 50 spaces or the most
    # active author may have written nothing that matches, which would measure an empty search.
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Count

    person_word = next(spec["q"] for label, spec in QUERIES if "person" in spec)
    person_id = (
        SearchDocument.objects.filter(source="comment", vector=SearchQuery(person_word, config="dutch"))
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("person_id", flat=True)
        .first()
    ) or member_id

    def params(spec):
        values = {k: (theme_id if v == "THEME" else space_id if v == "SPACE" else person_id if v == "PERSON" else v)
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
