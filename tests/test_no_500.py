"""No page answers 500, whatever a clumsy client or an attacker sends.

Every URL pattern of the site (except the Wagtail admin and the JSON API, which have their own
tests and the schemathesis run) is requested with its path parameters filled with ids that exist,
ids that do not, ids too large for any database column, non-numeric and over-long strings; by GET
with a garbage query string and by POST with an empty and a garbage form; as an anonymous visitor,
a member and a platform administrator. Any 5xx is a bug.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

HUGE = str(2**70)  # matches <int:…> but fits no database column
LONG = "x" * 3000
WEIRD = "a'\"<>;--%20é"
GARBAGE_FORM = {
    "q": LONG,
    "role": "99",
    "email": "not-an-email",
    "decision": "maybe",
    "approve": "perhaps",
    "archived": "2",
    "message": "m" * 20000,
    "reason": "r" * 5000,
    "body": "\x00\x01",
    "name": "",
    "slug": "!!",
    "title": WEIRD,
    "themes": ["abc", "999999", HUGE],
    "tags": LONG,
    "policy": "zzz",
    "visibility": "nope",
    "join_policy": "nope",
    "workspace": "nope",
    "seconds": "-5",
    "minutes": "abc",
    "locked": "x",
    "user": "abc",
    "kind": "forever",
    "emoji": "💥" * 10,
    "remove": "abc",
    "word": "",
    "action": "explode",
    "language": "xx",
    "next": "https://evil.example/",
    "first_name": LONG,
    "skills": LONG,
    "password": "x",
    "token": "x",
}
# Huge numbers (past any column, past a C int, float overflow) and lone surrogates (not encodable as UTF-8;
# they arrive percent-encoded as the bytes a broken client sends) in every field of the form.
EXTREME_FIELDS = (
    "minutes",
    "seconds",
    "role",
    "user",
    "page",
    "reply_to",
    "body",
    "reason",
    "name",
    "title",
    "q",
)
HUGE_FORM = dict.fromkeys([*GARBAGE_FORM, *EXTREME_FIELDS], "9" * 30)
OVERFLOW_FORM = dict.fromkeys([*GARBAGE_FORM, *EXTREME_FIELDS], "1e309")
# "\ud800" and "\udfff" as a broken client encodes them (CESU-8 bytes, not valid UTF-8), raw.
SURROGATE_BODY = "&".join(
    f"{field}=a%ED%A0%80b%ED%BF%BF" for field in [*GARBAGE_FORM, *EXTREME_FIELDS]
).encode()


GARBAGE_QUERY = (
    "?q=%00"
    + "y" * 500
    + "&role=root&theme=nope&page=-1&sort=zzz&mine=abc&workspace=nope&before=abc&after=-1"
)
# The Wagtail admin and the API are fuzzed elsewhere (tests/doeplein/api/test_fuzz_regressions.py).
SKIPPED_PREFIXES = ("admin/", "api/")
# Posting these would end the session (or the account) and make the rest of the run anonymous.
LAST = ("account_logout", "accounts:delete")
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(resolver=None, prefix="", namespace=""):
    """(route, name) for every URL pattern, namespaces joined with ':'."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}:{entry.name}" if namespace else str(entry.name)


def _urls(route, existing):
    """URLs for ``route``: all parameters as existing values, then each parameter replaced by a bad value."""
    if route.startswith("^") or "(?P<" in route or "^" in route:
        return _regex_urls(route, existing)
    params = ROUTE_PARAM.findall(route)

    def fill(values):
        return "/" + ROUTE_PARAM.sub(lambda m: values[m.group("name")], route)

    good = {
        name: str(existing.get(name, "1" if converter in ("int", "") else "fuzz"))
        for converter, name in params
    }
    urls = [fill(good)]
    for converter, name in params:
        bad_values = ["0", "999999", HUGE] if converter == "int" else ["nope", LONG, WEIRD, HUGE]
        if converter == "int":
            bad_values.append("abc")  # does not match: whatever else resolves must not fail either
        urls.extend(fill({**good, name: bad}) for bad in bad_values)
    return urls


def _regex_urls(route, existing):
    if "wagtaildocs" in route or "(\\d+)" in route:
        return ["/documents/1/a.pdf", f"/documents/{HUGE}/a.pdf", "/documents/999999/" + LONG]
    if "confirm-email" in route:
        return ["/accounts/confirm-email/nope/", f"/accounts/confirm-email/{LONG}/"]
    if "uidb36" in route:
        return ["/accounts/password/reset/key/zz-nope/", f"/accounts/password/reset/key/{HUGE}-{LONG}/"]
    # Wagtail's page tree.
    return ["/", "/nope/", f"/{LONG}/", f"/{WEIRD}/"]


@pytest.fixture
def world(make_user):
    """A little of everything: a workspace, a secret group in it, a room with a message and a report,
    a join request, an invitation, an API token."""
    from doeplein.accounts.actions import do_create_api_token
    from doeplein.discussion.actions import do_send_message, get_or_create_room
    from doeplein.home.models import Theme
    from doeplein.moderation.actions import do_report_message
    from doeplein.spaces.actions import do_invite, do_request_to_join
    from doeplein.spaces.models import Membership, Role
    from groups.actions import do_create_group
    from workspaces.actions import do_open_workspace

    owner = make_user(role="civil_servant")
    member = make_user()
    outsider = make_user()
    admin = make_user(role="platform_admin")
    theme = Theme.objects.create(name="Fuzz", slug="fuzz")
    workspace = do_open_workspace(
        user=owner,
        name="Fuzz place",
        slug="fuzz-place",
        themes=[theme],
        visibility="public",
        join_policy="request",
    )
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    group = do_create_group(user=owner, workspace=workspace, name="Hidden", slug="hidden", policy="secret")
    Membership.objects.create(space=group, user=member, role=Role.MEMBER)
    join_request = do_request_to_join(user=outsider, space=workspace, message="hi")
    invitation, token = do_invite(actor=owner, space=workspace, email="new@example.org")
    room = get_or_create_room(space=workspace, title=workspace.name)
    message, _created = do_send_message(user=owner, room=room, body="Hello", client_id="fuzz-1")
    report = do_report_message(user=member, message=message, reason="spam")
    api_token, _secret = do_create_api_token(user=member, name="fuzz")
    existing = {
        "space_id": workspace.pk,
        "user_id": member.pk,
        "request_id": join_request.pk,
        "invitation_id": invitation.pk,
        "room_id": room.pk,
        "seq": message.seq,
        "report_id": report.pk,
        "token_id": api_token.pk,
        "token": token,
        "model_label": "discussion.message",
        "object_id": message.pk,
        "verb": "report",
        "restriction_id": 1,
        "page_view_restriction_id": 1,
        "page_id": 1,
    }
    return {
        "users": {"anonymous": None, "member": member, "admin": admin},
        "existing": existing,
        "group": group,
        "workspace": workspace,
    }


def _existing_for(route, world):
    existing = dict(world["existing"])
    if route.startswith("groups/"):
        existing.update(pk=world["group"].pk, slug=world["group"].slug)
    else:
        existing["slug"] = world["workspace"].slug
    return existing


@pytest.mark.needs_plugins("workspaces", "groups")  # its world has a workspace with a group in it
@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
def test_no_url_answers_500(world, who):
    user = world["users"][who]
    routes = [(r, n) for r, n in _patterns() if not r.startswith(SKIPPED_PREFIXES)]
    routes.sort(key=lambda rn: rn[1] in LAST)
    failures = []
    requests = 0
    for route, name in routes:
        # A fresh client per pattern: a POST that logs out or changes the language does not leak on.
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for url in _urls(route, _existing_for(route, world)):
            attempts = [
                ("GET", url, None),
                ("GET", url + GARBAGE_QUERY, None),
                ("GET", url + "?page=" + "9" * 30 + "&before=1e309&q=%ED%A0%80&after=%ED%BF%BF", None),
                ("POST", url, {}),
                ("POST", url, GARBAGE_FORM),
                ("POST", url, HUGE_FORM),
                ("POST", url, OVERFLOW_FORM),
                ("SURROGATES", url, None),
                ("MULTIPART", url, None),  # multipart without a boundary
            ]
            for method, target, data in attempts:
                if method == "GET":
                    response = client.get(target)
                elif method == "SURROGATES":
                    response = client.generic(
                        "POST", target, SURROGATE_BODY, content_type="application/x-www-form-urlencoded"
                    )
                elif method == "MULTIPART":
                    response = client.generic("POST", target, b"--x\r\n", content_type="multipart/form-data")
                else:
                    response = client.post(target, data)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {target[:120]} ({name}) -> {response.status_code}")
    assert requests > 600  # the walk really covered the site
    print(f"form fuzzing as {who}: {requests} requests, {len(failures)} answered 5xx")  # noqa: T201
    assert not failures, "\n".join(failures)


def test_removing_a_word_filter_with_a_forged_id_changes_nothing(make_user, make_space):
    # Was a 500: the page passed the posted id straight to the query.
    from doeplein.moderation.actions import do_add_word_filter
    from doeplein.moderation.models import WordFilter
    from doeplein.spaces.models import Role

    manager = make_user()
    space = make_space("public", members={manager: Role.OWNER})
    do_add_word_filter(actor=manager, space=space, word="spam", action="refuse")
    client = Client()
    client.force_login(manager)
    for forged in ("abc", "²", HUGE, "-1"):
        response = client.post(f"/moderation/spaces/{space.pk}/word-filters/", {"remove": forged})
        assert response.status_code < 500, forged
    assert list(WordFilter.objects.filter(space=space).values_list("word", flat=True)) == ["spam"]


def test_discussion_pages_take_unicode_digits_and_huge_numbers_without_a_500(make_user, make_space):
    from doeplein.discussion.actions import get_or_create_room
    from doeplein.spaces.models import Role

    owner = make_user()
    space = make_space("public", members={owner: Role.OWNER})
    room = get_or_create_room(space=space, title="Room")
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    statuses = [
        client.get(f"/discussion/{room.pk}/?before=²").status_code,
        client.post(
            f"/discussion/{room.pk}/post/", {"body": "hi", "client_id": "c1", "reply_to": "²"}
        ).status_code,
        client.post(f"/discussion/{room.pk}/sanction/", {"user": "²", "kind": "mute"}).status_code,
        client.post(
            f"/discussion/{room.pk}/post/", {"body": "hi", "client_id": "c2", "reply_to": "9" * 30}
        ).status_code,
    ]
    assert all(status < 500 for status in statuses), statuses
