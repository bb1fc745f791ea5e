"""Benchmark: blogs at ten times Pleio's scale (100,000 posts, 1,000,000 comments by default).

Builds (once, idempotently, with bulk inserts) people, spaces with memberships, published posts and
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


def build(args, rng):
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from blogs.models import Comment, Post
    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role, Space

    have = User.objects.filter(email__endswith=DOMAIN).count()
    if have < args.people:
        password = make_password("bench")
        for start in tqdm(range(have, args.people, 5000), desc="people"):
            User.objects.bulk_create(
                [
                    User(email=f"p{i}{DOMAIN}", password=password, first_name=f"Persoon{i}")
                    for i in range(start, min(start + 5000, args.people))
                ],
                ignore_conflicts=True,
            )
    user_ids = list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True))
    spaces = list(Space.objects.filter(kind="bench").order_by("pk").values_list("pk", flat=True))
    if len(spaces) < args.spaces:
        Space.objects.bulk_create(
            [
                Space(kind="bench", name=f"Ruimte {i}", visibility=VISIBILITIES[i % 4])
                for i in range(len(spaces), args.spaces)
            ]
        )
        spaces = list(Space.objects.filter(kind="bench").order_by("pk").values_list("pk", flat=True))
        rows = []
        for sid in tqdm(spaces, desc="memberships"):
            size = min(len(user_ids), int(10 * rng.paretovariate(1.1)))
            for k, uid in enumerate(rng.sample(user_ids, size)):
                rows.append(Membership(space_id=sid, user_id=uid, role=Role.OWNER if k == 0 else Role.MEMBER))
        Membership.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    have = Post.objects.filter(space__kind="bench").count()
    now = timezone.now()
    if have < args.posts:
        # Skewed: the first space holds the most posts (the one measured), the rest spread out.
        for start in tqdm(range(have, args.posts, 5000), desc="posts"):
            batch = []
            for i in range(start, min(start + 5000, args.posts)):
                sid = spaces[0] if i % 20 == 0 else spaces[int(rng.paretovariate(0.8)) % len(spaces)]
                words = " ".join(rng.choice(WORDS) for _ in range(400))
                batch.append(
                    Post(
                        space_id=sid,
                        author_id=user_ids[i % len(user_ids)],
                        title=f"Post {i} over {rng.choice(WORDS)}",
                        summary=words[:200],
                        body=f"<p>{words}</p>",
                        live=True,
                        first_published_at=now - timezone.timedelta(minutes=i),
                        last_published_at=now,
                        reading_minutes=2,
                    )
                )
            Post.objects.bulk_create(batch, batch_size=2500)
    have = Comment.objects.filter(post__space__kind="bench").count()
    if have < args.comments:
        post_ids = list(Post.objects.filter(space__kind="bench").values_list("pk", flat=True))
        for start in tqdm(range(have, args.comments, 10000), desc="comments"):
            Comment.objects.bulk_create(
                [
                    Comment(
                        post_id=post_ids[int(rng.paretovariate(0.7)) % len(post_ids)],
                        author_id=rng.choice(user_ids),
                        body=" ".join(rng.choice(WORDS) for _ in range(30)),
                    )
                    for _ in range(start, min(start + 10000, args.comments))
                ],
                batch_size=5000,
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE blogs_post p SET comment_count = c.n FROM (SELECT post_id, count(*) n FROM blogs_comment "
                "GROUP BY post_id) c WHERE c.post_id = p.id"
            )
        cursor = connection.cursor()
        cursor.execute("ANALYZE")
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
    from django.test.utils import override_settings, setup_test_environment

    from blogs.models import Comment, Post
    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role, Space

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    started = time.perf_counter()
    user_ids, spaces = build(args, rng)
    print(f"build: {time.perf_counter() - started:.0f} s")

    # The member: in 50 spaces, among them the space with the most posts.
    member = User.objects.get(pk=user_ids[1])
    for sid in spaces[:50]:
        Membership.objects.get_or_create(space_id=sid, user=member, defaults={"role": Role.MEMBER})
    Post.objects.filter(title__startswith="Bench post with").delete()
    Space.objects.filter(kind="bench-q").delete()
    small = Space.objects.create(kind="bench-q", name="tien", visibility="members")
    big = Space.objects.create(kind="bench-q", name="driehonderd", visibility="members")
    for s in (small, big):
        Membership.objects.create(space=s, user=member, role=Role.MEMBER)
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

    setup_test_environment()
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


if __name__ == "__main__":
    main()
