"""A post page with many comments stays cheap: the same number of queries for 10 comments as for 300,
whoever reads it, and the per-comment actions are buttons on shared forms, not a form per action."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blogs.models import Comment, CommentReaction

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def with_comments(write, c, n, title):
    """A published post with ``n`` comments by several people (every other one a reply), some reacted to."""
    post = write(c.author, c.space, title=title)
    people = [c.member, c.manager, c.owner, c.author]
    tops = Comment.objects.bulk_create(
        [Comment(post=post, author=people[i % 4], body=f"Reactie {i} @Anna") for i in range((n + 1) // 2)]
    )
    replies = Comment.objects.bulk_create(
        [
            Comment(post=post, parent=tops[i % len(tops)], author=people[(i + 1) % 4], body=f"Antwoord {i}")
            for i in range(n // 2)
        ]
    )
    CommentReaction.objects.bulk_create(
        [CommentReaction(comment=x, user=c.member, emoji="👍") for x in (tops + replies)[::3]]
    )
    return post


def page_queries(client, post):
    client.get(f"/blogs/posts/{post.pk}/")  # warm the caches a first request fills (site, settings)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/blogs/posts/{post.pk}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("reader", ["manager", "member", "author", "outsider", "anonymous"])
def test_query_count_is_flat_from_10_to_300_comments(cast, write, reader):
    c = cast("public")
    ten = with_comments(write, c, 10, "Tien reacties")
    three_hundred = with_comments(write, c, 300, "Driehonderd reacties")
    user = c.role(reader)
    client = Client(HTTP_ACCEPT_LANGUAGE="en") if reader == "anonymous" else logged_in(user)
    few, small_page = page_queries(client, ten)
    many, big_page = page_queries(client, three_hundred)
    assert few == many, f"{reader}: {few} queries for 10 comments, {many} for 300"
    assert len(re.findall(r'<li id="comment-', big_page)) == 300
    assert "Reactie 149" in big_page and "Antwoord 149" in big_page


def test_per_comment_actions_are_buttons_on_shared_forms(cast, write):
    c = cast("public")
    post = with_comments(write, c, 300, "Driehonderd reacties")
    _n, page = page_queries(logged_in(c.manager), post)
    # The forms on the page do not grow with the comments: the post's own, the new comment, and one
    # shared form per kind of action (buttons point at it with form= and formaction=).
    forms = page.count("<form")
    assert forms < 20, f"{forms} forms on a page of 300 comments"
    assert page.count('name="csrfmiddlewaretoken"') <= forms
    # Every visible comment still offers what the manager may do: react, reply (top level), report or
    # delete, and hide.
    comment_ids = [int(x) for x in re.findall(r'<li id="comment-(\d+)"', page)]
    assert len(comment_ids) == 300
    some = comment_ids[7]
    assert f'formaction="/blogs/posts/{post.pk}/comments/{some}/react/"' in page
    assert f'href="/blogs/posts/{post.pk}/comments/{some}/hide/"' in page


def test_a_member_sees_only_the_actions_they_may_take(cast, write):
    c = cast("public")
    post = with_comments(write, c, 10, "Tien reacties")
    _n, page = page_queries(logged_in(c.member), post)
    own = Comment.objects.filter(post=post, author=c.member).first()
    other = Comment.objects.filter(post=post).exclude(author=c.member).first()
    assert f"/comments/{own.pk}/delete/" in page and f"/comments/{own.pk}/report/" not in page
    assert f"/comments/{other.pk}/report/" in page and f"/comments/{other.pk}/delete/" not in page
    assert "/hide/" not in page and "/unhide/" not in page
    _n, anonymous = page_queries(Client(HTTP_ACCEPT_LANGUAGE="en"), post)
    assert "/react/" not in anonymous and "/report/" not in anonymous and 'id="comment-act"' not in anonymous


@pytest.mark.parametrize("verb", ["reply", "report", "hide", "edit"])
def test_each_text_action_has_a_page_of_its_own_without_script(cast, write, verb):
    """Without script, a text action (reply, report, hide, edit) is a link to a page with its one form;
    the form posts to the same action as before."""
    c = cast("public")
    post = write(c.author, c.space)
    mine = Comment.objects.create(post=post, author=c.manager, body="Van de manager")
    theirs = Comment.objects.create(post=post, author=c.member, body="Van een lid")
    comment = mine if verb == "edit" else theirs
    client = logged_in(c.manager)
    response = client.get(f"/blogs/posts/{post.pk}/comments/{comment.pk}/{verb}/")
    assert response.status_code == 200
    page = response.content.decode()
    target = (
        f'action="/blogs/posts/{post.pk}/comments/"'
        if verb == "reply"
        else f'action="/blogs/posts/{post.pk}/comments/{comment.pk}/{verb}/"'
    )
    assert target in page and comment.body in page
    # Someone who may not take the action gets a refusal, not the form: an outsider may not reply, nobody
    # reports their own comment, only managers hide, only the author edits.
    who, status = {"reply": (c.outsider, 403), "report": (c.member, 409), "hide": (c.member, 404)}.get(
        verb, (c.member, 403)
    )
    refused = logged_in(who).get(f"/blogs/posts/{post.pk}/comments/{comment.pk}/{verb}/")
    assert refused.status_code == status
    assert '<form method="post" action="/blogs/posts/' not in refused.content.decode()
    assert (
        logged_in(c.manager).get(f"/blogs/posts/{post.pk}/comments/{comment.pk}/nonsense/").status_code == 404
    )


def test_lists_page_without_counting_and_new_in_my_spaces_shows_only_my_spaces(cast, write, make_space):
    from blogs.models import Post
    from doeplein.spaces.models import Role

    c = cast("public")
    elsewhere = make_space("public", members={c.author: Role.MEMBER})
    for i in range(25):
        write(c.author, c.space, title=f"Hier {i:02d}")
    write(c.author, elsewhere, title="Ergens anders")
    member = logged_in(c.member)
    first = member.get(f"/blogs/spaces/{c.space.pk}/").content.decode()
    assert first.count('class="card post-card"') == 20 and "page=2" in first and "page=0" not in first
    second = member.get(f"/blogs/spaces/{c.space.pk}/?page=2").content.decode()
    assert second.count('class="card post-card"') == 5 and "page=1" in second and "page=3" not in second
    shown = {t for t in Post.objects.values_list("title", flat=True) if f">{t}<" in first + second}
    assert shown == {f"Hier {i:02d}" for i in range(25)}
    assert member.get(f"/blogs/spaces/{c.space.pk}/?page=abc").content.decode().count("post-card") == 20
    assert member.get(f"/blogs/spaces/{c.space.pk}/?page=99999").status_code == 200
    mine = member.get("/blogs/?scope=mine").content.decode()
    assert "Hier 24" in mine and "Ergens anders" not in mine  # the member is not in the other space


def test_a_reaction_button_adds_and_the_pressed_one_takes_it_back(cast, write):
    c = cast("public")
    post = write(c.author, c.space)
    comment = Comment.objects.create(post=post, author=c.author, body="Goed idee")
    client = logged_in(c.member)
    url = f"/blogs/posts/{post.pk}/comments/{comment.pk}/react/"
    assert client.post(url, {"emoji": "👍"}).status_code == 302
    assert list(CommentReaction.objects.values_list("user", "emoji")) == [(c.member.pk, "👍")]
    page = client.get(f"/blogs/posts/{post.pk}/").content.decode()
    assert f'formaction="{url}" name="remove" aria-pressed="true" value="👍"' in page
    assert f'formaction="{url}" name="emoji" aria-pressed="false" value="❤️"' in page
    assert client.post(url, {"remove": "👍"}).status_code == 302
    assert not CommentReaction.objects.exists()
    assert client.post(url, {"emoji": "🦄"}).status_code == 422  # not one of the reactions offered
