"""Benchmark: blogs at ten times Pleio's scale (100,000 posts, 1,000,000 comments by default).

Builds (once, idempotently, in bulk SQL: INSERT … SELECT over generate_series) people, spaces with memberships, published posts and
comments, then, logged in as a member of 50 spaces, measures with Django's test client the median time of

* a space's post list       /blogs/spaces/<id>/     (the space with the most posts)
* a post page               /blogs/posts/<id>/      (a post with 300 comments and replies)
* "new in my spaces"        /blogs/?scope=mine      (for the member of 50 spaces)

each as a ratio to a minimal Django view that runs one query, measured in the same run; and the number
of queries of the post page with 10 and with 300 comments and of the space list with 10 and 300 posts
(they must be equal: flat query counts).

Scale flags: ``--posts 10000 --comments 100000`` for a quick run. Use a dedicated database:
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE doeplein_bench_blogs"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench_blogs .venv/bin/python bench/bench_blogs.py
"""

# ruff: noqa: T201 - a benchmark prints its figures

import argparse
import os
import random
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
os.environ.setdefault("DEBUG", "1")

DOMAIN = "@blogs.bench.example"
VISIBILITIES = ["public", "logged_in", "members", "secret"]
WORDS = (
    "pilot gemeente inwoners data klimaat wijk energie samenwerking lessen aanpak resultaat "
    "overleg beleid praktijk onderzoek"
).split()


def _sql(cursor, label, sql, params=()):
    started = time.perf_counter()
    cursor.execute(sql, params)
    print(f"  {label:<34} {cursor.rowcount:>9} rows  {time.perf_counter() - started:7.1f} s", flush=True)


def build(args, rng):
    """The platform, in bulk SQL (INSERT … SELECT over generate_series): no per-row Python, so the full
    scale (50,000 people, 5,000 spaces, 100,000 posts, 1,000,000 comments) takes minutes, not hours.
    Idempotent: each step fills up to its target and skips when it is there."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from doeplein.spaces.models import Role

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE email LIKE %s", ["%" + DOMAIN])
        have = cursor.fetchone()[0]
        if have < args.people:
            _sql(
                cursor,
                "people",
                "INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active,"
                " date_joined, email, is_deleted) SELECT %s, false, 'Persoon' || i, 'Bench', false, true, now(),"
                " 'p' || i || %s, false FROM generate_series(%s, %s) i ON CONFLICT DO NOTHING",
                [make_password("bench"), DOMAIN, have, args.people - 1],
            )
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM accounts_user WHERE email LIKE %s", ["%" + DOMAIN]
        )
        user_ids = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM access_space WHERE kind = 'bench'")
        have = cursor.fetchone()[0]
        if have < args.spaces:
            _sql(
                cursor,
                "spaces",
                "INSERT INTO access_space (kind, name, visibility, is_archived, created_at, allow_leaving,"
                " join_policy, member_count, welcome_message) SELECT 'bench', 'Ruimte ' || i,"
                " (%s::text[])[i %% 4 + 1], false, now(), true, 'request', 0, '' FROM generate_series(%s, %s) i",
                [VISIBILITIES, have, args.spaces - 1],
            )
            # Skewed sizes (Pareto, α = 1.1: most spaces small, a few with thousands), random people, the
            # first of each its owner.
            _sql(
                cursor,
                "memberships",
                "INSERT INTO access_membership (role, created_at, user_id, space_id)"
                " SELECT CASE WHEN k = 0 THEN %s ELSE %s END, now(),"
                " (%s::bigint[])[1 + floor(random() * %s)::int], s.id"
                " FROM (SELECT id, least(%s, floor(10 * power(1 - random(), -1 / 1.1)))::int AS size"
                "       FROM access_space WHERE kind = 'bench') s, generate_series(0, s.size - 1) k"
                " ON CONFLICT DO NOTHING",
                [Role.OWNER, Role.MEMBER, user_ids, len(user_ids), len(user_ids)],
            )
            _sql(
                cursor,
                "member counts",
                "UPDATE access_space s SET member_count = m.n FROM (SELECT space_id, count(*) n FROM"
                " access_membership GROUP BY space_id) m WHERE m.space_id = s.id AND s.kind = 'bench'",
            )
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM access_space WHERE kind = 'bench'")
        spaces = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM blogs_post p JOIN access_space s ON s.id = p.space_id WHERE s.kind = 'bench'"
        )
        have = cursor.fetchone()[0]
        if have < args.posts:
            # Fifty bodies of 400 words, chosen per row; skewed spaces: one post in 20 in the first space
            # (the one measured), the rest Pareto (α = 0.8) over the others.
            bodies = [" ".join(rng.choice(WORDS) for _ in range(400)) for _ in range(50)]
            _sql(
                cursor,
                "posts",
                "INSERT INTO blogs_post (live, has_unpublished_changes, expired, locked, visibility, title, summary,"
                " body, cover_alt, comments_closed, comment_count, reading_minutes, created_at, updated_at,"
                " space_id, author_id, first_published_at, last_published_at)"
                " SELECT true, false, false, false, 'space', 'Post ' || i || ' over ' || (%s::text[])[1 + i %% %s],"
                " left(b.body, 200), '<p>' || b.body || '</p>', '', false, 0, 2, now(), now(),"
                " CASE WHEN i %% 20 = 0 THEN %s ELSE (%s::bigint[])[1 + (least(floor(power(1 - random(), -1 / 0.8)), 1e15)::bigint %% %s)] END,"
                " (%s::bigint[])[1 + i %% %s], now() - i * interval '1 minute', now()"
                " FROM generate_series(%s, %s) i, LATERAL (SELECT (%s::text[])[1 + (i * 7) %% 50] AS body) b",
                [
                    WORDS,
                    len(WORDS),
                    spaces[0],
                    spaces,
                    len(spaces),
                    user_ids,
                    len(user_ids),
                    have,
                    args.posts - 1,
                    bodies,
                ],
            )
        cursor.execute(
            "SELECT count(*) FROM blogs_comment c JOIN blogs_post p ON p.id = c.post_id"
            " JOIN access_space s ON s.id = p.space_id WHERE s.kind = 'bench'"
        )
        have = cursor.fetchone()[0]
        if have < args.comments:
            cursor.execute(
                "SELECT array_agg(p.id ORDER BY p.id) FROM blogs_post p JOIN access_space s ON s.id = p.space_id"
                " WHERE s.kind = 'bench'"
            )
            post_ids = cursor.fetchone()[0]
            # A fifth of the comments on the most discussed 1% of posts (~200 each), the rest spread evenly
            # (~8 a post); all top level (replies are on the posts built for the measured page below).
            texts = [" ".join(rng.choice(WORDS) for _ in range(30)) for _ in range(100)]
            _sql(
                cursor,
                "comments",
                "INSERT INTO blogs_comment (body, state, hidden_reason, created_at, post_id, author_id)"
                " SELECT (%s::text[])[1 + i %% 100], 'visible', '', now() - i * interval '1 second',"
                " (%s::bigint[])[1 + CASE WHEN random() < 0.2 THEN floor(random() * %s / 100)"
                "                          ELSE floor(random() * %s) END::int],"
                " (%s::bigint[])[1 + floor(random() * %s)::int]"
                " FROM generate_series(%s, %s) i",
                [
                    texts,
                    post_ids,
                    len(post_ids),
                    len(post_ids),
                    user_ids,
                    len(user_ids),
                    have,
                    args.comments - 1,
                ],
            )
            _sql(
                cursor,
                "comment counts",
                "UPDATE blogs_post p SET comment_count = c.n FROM (SELECT post_id, count(*) n FROM blogs_comment"
                " GROUP BY post_id) c WHERE c.post_id = p.id AND p.comment_count <> c.n",
            )
    with connection.cursor() as cursor:
        _sql(cursor, "analyze", "ANALYZE")
    return user_ids, spaces


def post_with_comments(space_id, author_id, commenters, n):
    """A post with exactly ``n`` comments, half of them replies (rebuilt on each run)."""
    from blogs.models import Comment, Post

    post = Post.objects.create(
        space_id=space_id,
        author_id=author_id,
        title=f"Bench post with {n} comments",
        body="<p>tekst</p>",
        live=True,
        first_published_at=None,
    )
    tops = Comment.objects.bulk_create(
        [
            Comment(post=post, author_id=commenters[i % len(commenters)], body=f"Reactie {i}")
            for i in range((n + 1) // 2)
        ]
    )
    Comment.objects.bulk_create(
        [
            Comment(
                post=post,
                parent=tops[i % len(tops)],
                author_id=commenters[i % len(commenters)],
                body=f"Antwoord {i}",
            )
            for i in range(n // 2)
        ]
    )
    Post.objects.filter(pk=post.pk).update(comment_count=n)
    return post


def median_ms(fn, repeat):
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def baseline_urlconf():
    from django.http import HttpResponse
    from django.urls import path

    import doeplein.urls
    from doeplein.accounts.models import User

    def baseline(request):
        return HttpResponse(str(list(User.objects.filter(pk=request.user.pk).values("pk"))))

    module = types.ModuleType("bench_blogs_urls")
    module.urlpatterns = [path("__bench__/baseline/", baseline), *doeplein.urls.urlpatterns]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(doeplein.urls, handler))
    sys.modules[module.__name__] = module
    return module.__name__


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--spaces", type=int, default=5_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from blogs.models import Comment, Post
    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role, Space

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    started = time.perf_counter()
    user_ids, spaces = build(args, rng)
    print(f"build: {time.perf_counter() - started:.0f} s")

    # The member: in 50 spaces (48 here, two below), among them the space with the most posts.
    member = User.objects.get(pk=user_ids[1])
    Membership.objects.filter(user=member).exclude(space_id__in=spaces[:48]).delete()
    for sid in spaces[:48]:  # with the two spaces below: 50
        Membership.objects.get_or_create(space_id=sid, user=member, defaults={"role": Role.MEMBER})
    Post.objects.filter(title__startswith="Bench post with").delete()
    Space.objects.filter(kind="bench-q").delete()
    small = Space.objects.create(kind="bench-q", name="tien", visibility="members")
    big = Space.objects.create(kind="bench-q", name="driehonderd", visibility="members")
    for s in (small, big):
        Membership.objects.create(space=s, user=member, role=Role.MEMBER)
    # Two more people, each in one of them only: "new in my spaces" with 10 and with 300 posts.
    reader_of = {}
    for s, uid in ((small, user_ids[-1]), (big, user_ids[-2])):
        Membership.objects.filter(user_id=uid).delete()
        Membership.objects.create(space=s, user_id=uid, role=Role.MEMBER)
        reader_of[s.pk] = User.objects.get(pk=uid)
    for s, n in ((small, 10), (big, 300)):
        Post.objects.bulk_create(
            [
                Post(
                    space=s,
                    author=member,
                    title=f"Q{i}",
                    body="<p>x</p>",
                    live=True,
                    first_published_at=django.utils.timezone.now(),
                )
                for i in range(n)
            ]
        )
    ten = post_with_comments(spaces[0], user_ids[2], user_ids[3:40], 10)
    three_hundred = post_with_comments(spaces[0], user_ids[2], user_ids[3:40], 300)
    print(
        f"platform: {User.objects.count()} people, {Space.objects.count()} spaces, {Post.objects.count()} posts, "
        f"{Comment.objects.count()} comments; the member is in {Membership.objects.filter(user=member).count()} spaces; "
        f"space {spaces[0]} has {Post.objects.filter(space_id=spaces[0]).count()} posts; median of {args.repeat} requests"
    )

    # No setup_test_environment(): its template instrumentation copies the context on every include (600
    # on the 300-comment page), a cost the site does not have.
    with override_settings(ROOT_URLCONF=baseline_urlconf(), ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(member)
        pages = [
            ("baseline  one-query view", "/__bench__/baseline/"),
            ("space post list", f"/blogs/spaces/{spaces[0]}/"),
            ("post page, 300 comments", f"/blogs/posts/{three_hundred.pk}/"),
            ("new in my spaces (50)", "/blogs/?scope=mine"),
        ]
        baseline = None
        for label, url in pages:
            status = client.get(url).status_code
            if status != 200:
                print(f"{label:<26} skipped: {url} answers {status}")
                continue
            ms = median_ms(lambda url=url: client.get(url), args.repeat)
            baseline = baseline or ms
            print(f"{label:<26} {url:<28} {ms:8.2f} ms  (ratio {ms / baseline:5.2f})")
        print("query counts (10 → 300):")
        print(
            f"  post page      {query_count(client, f'/blogs/posts/{ten.pk}/'):3d} → "
            f"{query_count(client, f'/blogs/posts/{three_hundred.pk}/'):3d}"
        )
        print(
            f"  space list     {query_count(client, f'/blogs/spaces/{small.pk}/'):3d} → "
            f"{query_count(client, f'/blogs/spaces/{big.pk}/'):3d}"
        )
        print(
            f"  comments API   {query_count(client, f'/api/v1/blogs/posts/{ten.pk}/comments'):3d} → "
            f"{query_count(client, f'/api/v1/blogs/posts/{three_hundred.pk}/comments'):3d}"
        )
        counts = []
        for s in (small, big):
            reader = Client()
            reader.force_login(reader_of[s.pk])
            counts.append(query_count(reader, "/blogs/?scope=mine"))
        print(f"  new in my spaces {counts[0]:3d} → {counts[1]:3d}")
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
