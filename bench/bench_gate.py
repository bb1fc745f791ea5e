"""Benchmark: the access gate's list filter at Pleio's scale, as a ratio to a plain query.

Builds (once, idempotently) N people and M spaces of every visibility with memberships, then measures
the median time of the first page (50 rows) of ``visible(user, Space.objects.all())`` for an anonymous
visitor, a member of many spaces and a platform administrator, each as a ratio to the baseline
``Space.objects.filter(visibility="public")[:50]`` measured in the same run.

Use a dedicated database:  DATABASE_URL=postgres://postgres@127.0.0.1/doeplein_bench python bench/bench_gate.py
"""

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


def build(people, spaces, memberships_per_person):
    from django.contrib.auth.hashers import make_password
    from tqdm import tqdm

    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role, Space, Visibility

    have = User.objects.filter(email__endswith="@bench.example").count()
    if have < people:
        password = make_password("bench")
        for start in tqdm(range(have, people, 5000), desc="people"):
            User.objects.bulk_create(
                [
                    User(email=f"p{i}@bench.example", password=password, first_name=f"P{i}")
                    for i in range(start, min(start + 5000, people))
                ]
            )
    have = Space.objects.filter(kind="bench").count()
    visibilities = list(Visibility.values)
    if have < spaces:
        Space.objects.bulk_create(
            [
                Space(kind="bench", name=f"Space {i}", visibility=visibilities[i % 4])
                for i in range(have, spaces)
            ],
            batch_size=2000,
        )
    space_ids = list(Space.objects.filter(kind="bench").values_list("pk", flat=True))
    user_ids = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True))
    if not Membership.objects.filter(space__kind="bench").exists():
        rng = random.Random(42)
        rows = []
        for uid in tqdm(user_ids, desc="memberships"):
            for sid in rng.sample(space_ids, memberships_per_person):
                rows.append(Membership(user_id=uid, space_id=sid, role=rng.choice(Role.values)))
            if len(rows) > 20000:
                Membership.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        Membership.objects.bulk_create(rows, ignore_conflicts=True)
    return user_ids


def median_ms(fn, repeat):
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--spaces", type=int, default=5_000)
    parser.add_argument("--memberships", type=int, default=5, help="memberships per person")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from doeplein.access import visible
    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Space

    call_command("migrate", verbosity=0)
    user_ids = build(args.people, args.spaces, args.memberships)
    member = User.objects.get(pk=user_ids[len(user_ids) // 2])
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin@bench.example", "x"
    )
    page = Space.objects.order_by("-created_at", "-pk")

    baseline = median_ms(lambda: list(page.filter(visibility="public")[:50]), args.repeat)
    print(
        f"platform: {User.objects.count()} people, {Space.objects.count()} spaces, "
        f"{Membership.objects.count()} memberships; median of {args.repeat} runs"
    )
    print(f"baseline  plain public query, first 50 rows: {baseline:.2f} ms (ratio 1.00)")
    for label, user in (("anonymous", AnonymousUser()), ("member", member), ("administrator", admin)):
        ms = median_ms(lambda user=user: list(visible(user, page)[:50]), args.repeat)
        print(f"gate      visible() for {label:<13} first 50 rows: {ms:.2f} ms (ratio {ms / baseline:.2f})")
    count_ms = median_ms(lambda: visible(member, Space.objects.all()).count(), max(5, args.repeat // 3))
    count_base = median_ms(
        lambda: Space.objects.filter(visibility="public").count(), max(5, args.repeat // 3)
    )
    print(
        f"gate      count() of everything a member sees: {count_ms:.2f} ms (ratio {count_ms / count_base:.2f})"
    )


if __name__ == "__main__":
    main()
