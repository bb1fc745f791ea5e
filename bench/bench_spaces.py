"""Benchmark: the workspace directory, a workspace home and a group member list at Pleio's scale.

Builds (once, idempotently) 50,000 people, 500 workspaces on the themes and 5,000 groups (Pleio's real
numbers, rounded up) with realistic memberships: a few large workspaces and many small ones, every
visibility and policy, owners, community managers, members and guests. Then, logged in as a member,
it measures with Django's test client the median time of

* the directory page          /workspaces/
* a workspace home            /workspaces/<slug>/   (the largest workspace the member belongs to)
* a group member list         /spaces/<group_id>/members/   (the largest group the member belongs to)

each as a ratio to a minimal Django view that runs one query (``list(User.objects.filter(pk=…))``),
mounted next to the real URLs and measured in the same run. Pages that do not exist (yet) are skipped.

Use a dedicated database:
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE doeplein_bench2"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench2 .venv/bin/python bench/bench_spaces.py
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

EMAIL = "p{}@spaces.bench.example"
DOMAIN = "@spaces.bench.example"
VISIBILITIES = ["public", "logged_in", "members", "secret"]
JOIN_POLICIES = ["open", "request", "invitation"]
GROUP_POLICIES = ["open", "request", "invitation", "secret"]
THEMES = [
    "klimaatadaptatie",
    "jeugdzorg",
    "doe-democratie",
    "energietransitie",
    "digitale-overheid",
    "wonen",
    "zorg",
    "onderwijs",
    "veiligheid",
    "mobiliteit",
]


def build_people(count):
    from django.contrib.auth.hashers import make_password
    from tqdm import tqdm

    from doeplein.accounts.models import User

    have = User.objects.filter(email__endswith=DOMAIN).count()
    if have >= count:
        return
    password = make_password("bench")
    for start in tqdm(range(have, count, 5000), desc="people"):
        User.objects.bulk_create(
            [
                User(
                    email=EMAIL.format(i),
                    password=password,
                    first_name=f"Persoon{i}",
                    last_name=f"Bench{i % 97}",
                )
                for i in range(start, min(start + 5000, count))
            ],
            ignore_conflicts=True,
        )


def build_spaces(workspaces, groups, user_ids, rng):
    """Workspaces and groups are multi-table models, which bulk_create cannot insert; save them in one
    transaction (a few thousand rows: seconds), then add the many-to-many rows in bulk."""
    from django.db import transaction
    from tqdm import tqdm

    from doeplein.home.models import Theme
    from groups.models import Group
    from workspaces.models import Workspace

    themes = [
        Theme.objects.get_or_create(slug=s, defaults={"name": s.replace("-", " ").capitalize()})[0]
        for s in THEMES
    ]
    have = Workspace.objects.filter(slug__startswith="bench-").count()
    if have < workspaces:
        through = Workspace.themes.through
        with transaction.atomic():
            links = []
            for i in tqdm(range(have, workspaces), desc="workspaces"):
                ws = Workspace(
                    name=f"Werkplaats {i} {THEMES[i % len(THEMES)]}",
                    slug=f"bench-{i}",
                    description=f"Een werkplaats over {THEMES[i % len(THEMES)]}.",
                    welcome="<p>Welkom!</p>",
                    visibility=VISIBILITIES[i % 4] if i % 10 else "public",
                    join_policy=JOIN_POLICIES[i % 3],
                    created_by_id=user_ids[i],
                )
                ws.save()
                links += [
                    through(workspace_id=ws.pk, theme_id=themes[(i + k) % len(themes)].pk)
                    for k in range(1 + i % 2)
                ]
            through.objects.bulk_create(links)
    ws_ids = list(
        Workspace.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", flat=True)
    )
    have = Group.objects.filter(slug__startswith="bench-").count()
    if have < groups:
        with transaction.atomic():
            for i in tqdm(range(have, groups), desc="groups"):
                # Nine in ten groups live in a workspace, the rest platform-wide.
                parent_id = ws_ids[i % len(ws_ids)] if i % 10 else None
                Group(
                    name=f"Groep {i}",
                    slug=f"bench-{i}",
                    parent_id=parent_id,
                    policy=GROUP_POLICIES[i % 4],
                    visibility=VISIBILITIES[i % 3],
                    created_by_id=user_ids[(i * 7) % len(user_ids)],
                ).save()
    group_ids = list(
        Group.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", "parent_id")
    )
    return ws_ids, group_ids


def build_memberships(user_ids, ws_ids, group_ids, rng):
    """Skewed sizes (a Pareto draw): a few workspaces with thousands of members, most with tens."""
    from django.db import connection
    from tqdm import tqdm

    from doeplein.spaces.models import Membership, Role

    if Membership.objects.filter(space_id=ws_ids[0]).exists():
        return
    rows = []

    def flush(force=False):
        nonlocal rows
        if rows and (force or len(rows) >= 20000):
            Membership.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
            rows = []

    from groups.models import Group
    from workspaces.models import Workspace

    creators = dict(Workspace.objects.filter(pk__in=ws_ids).values_list("pk", "created_by_id"))
    creators.update(Group.objects.filter(pk__in=[g for g, _ in group_ids]).values_list("pk", "created_by_id"))
    for space_id, owner in tqdm(creators.items(), desc="owners"):
        rows.append(Membership(space_id=space_id, user_id=owner, role=Role.OWNER))
    flush(True)
    ws_members = {}
    for ws_id in tqdm(ws_ids, desc="workspace members"):
        size = min(len(user_ids) // 4, int(15 * rng.paretovariate(1.1)))
        members = rng.sample(user_ids, size)
        ws_members[ws_id] = members
        for n, uid in enumerate(members):
            role = Role.COMMUNITY_MANAGER if n < 2 else (Role.GUEST if n % 9 == 0 else Role.MEMBER)
            rows.append(Membership(space_id=ws_id, user_id=uid, role=role))
        flush()
    for group_id, parent_id in tqdm(group_ids, desc="group members"):
        pool = ws_members.get(parent_id) or user_ids
        size = min(len(pool), int(5 * rng.paretovariate(1.2)))
        for n, uid in enumerate(rng.sample(pool, size)):
            rows.append(
                Membership(
                    space_id=group_id, user_id=uid, role=Role.COMMUNITY_MANAGER if n == 0 else Role.MEMBER
                )
            )
        flush()
    flush(True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE access_space SET member_count = (SELECT count(*) FROM access_membership m "
            "WHERE m.space_id = access_space.id), last_activity_at = created_at"
        )


def median_ms(fn, repeat):
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def baseline_urlconf():
    """The real URLs plus /__bench__/baseline/: a view that runs one query."""
    from django.http import HttpResponse
    from django.urls import path

    import doeplein.urls
    from doeplein.accounts.models import User

    def baseline(request):
        return HttpResponse(str(list(User.objects.filter(pk=request.user.pk).values("pk"))))

    module = types.ModuleType("bench_spaces_urls")
    module.urlpatterns = [
        path("__bench__/baseline/", baseline, name="bench-baseline"),
        *doeplein.urls.urlpatterns,
    ]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(doeplein.urls, handler))
    sys.modules[module.__name__] = module
    return module.__name__


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--workspaces", type=int, default=500)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role
    from groups.models import Group
    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    started = time.perf_counter()
    build_people(args.people)
    user_ids = list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True))
    ws_ids, group_ids = build_spaces(args.workspaces, args.groups, user_ids, rng)
    build_memberships(user_ids, ws_ids, group_ids, rng)
    print(f"build: {time.perf_counter() - started:.0f} s")

    # The member: in the largest workspace, and in the largest group inside it.
    workspace = Workspace.objects.filter(pk__in=ws_ids).order_by("-member_count", "pk").first()
    group = (
        Group.objects.filter(parent=workspace.space_ptr, member_count__gt=1)
        .order_by("-member_count", "pk")
        .first()
        or Group.objects.filter(pk__in=[g for g, _ in group_ids]).order_by("-member_count", "pk").first()
    )
    member_id = (
        Membership.objects.filter(space=group, role=Role.MEMBER).values_list("user_id", flat=True).first()
        or Membership.objects.filter(space=group).values_list("user_id", flat=True).first()
    )
    Membership.objects.get_or_create(space=workspace, user_id=member_id, defaults={"role": Role.MEMBER})
    member = User.objects.get(pk=member_id)
    print(
        f"platform: {User.objects.count()} people, {Workspace.objects.count()} workspaces, {Group.objects.count()} groups, "
        f"{Membership.objects.count()} memberships; the member is in "
        f"{Membership.objects.filter(user=member).aggregate(n=Count('pk'))['n']} spaces"
    )
    print(
        f"measured: workspace {workspace.slug!r} ({workspace.member_count} members), "
        f"group {group.pk} ({group.member_count} members); median of {args.repeat} requests each"
    )

    setup_test_environment()
    with override_settings(ROOT_URLCONF=baseline_urlconf(), ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(member)
        pages = [("baseline  one-query view", "bench-baseline", {})]
        pages += [
            ("directory /workspaces/", "workspaces:list", {}),
            ("workspace home", "workspaces:detail", {"slug": workspace.slug}),
            ("group member list", "spaces:members", {"space_id": group.pk}),
        ]
        baseline = None
        for label, name, kwargs in pages:
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                print(f"{label:<26} skipped: no URL named {name!r}")
                continue
            status = client.get(url).status_code
            if status != 200:
                print(f"{label:<26} skipped: {url} answers {status}")
                continue
            ms = median_ms(lambda url=url: client.get(url), args.repeat)
            baseline = baseline or ms
            print(f"{label:<26} {url:<40} {ms:8.2f} ms  (ratio {ms / baseline:5.2f})")


if __name__ == "__main__":
    main()
