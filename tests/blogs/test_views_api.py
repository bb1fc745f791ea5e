"""The blog pages and the API: the same actions behind both, bad input answered with a clear 4xx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from blogs import actions
from blogs.models import Comment, Post

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def png():
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # a transactional test before this one flushed it
        Collection.add_root(name="Root")

    image = get_test_image_file()
    return SimpleUploadedFile("cover.png", image.file.getvalue(), content_type="image/png")


def test_write_preview_schedule_and_read_on_the_site(cast):
    c = cast()
    client = logged_in(c.author)
    form = {
        "title": "Wat we leerden",
        "summary": "Kort",
        "body": "Eerste alinea\n\nTweede <script>x</script>",
        "cover_alt": "Een groen dak",
        "visibility": "space",
        "tags": "pilot, lessen",
        "space": c.space.pk,
    }
    response = client.post(f"/blogs/write/?space={c.space.pk}", {**form, "cover_file": png()})
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.cover_id and not post.live and "<script" not in post.body
    assert sorted(t.name for t in post.tags.all()) == ["lessen", "pilot"]
    assert c.member and logged_in(c.member).get(f"/blogs/posts/{post.pk}/").status_code == 404
    preview = client.get(f"/blogs/posts/{post.pk}/preview/")
    assert preview.status_code == 200 and b"Wat we leerden" in preview.content
    assert (
        client.post(f"/blogs/posts/{post.pk}/publish/", {"go_live_at": "2001-01-01T10:00"}).status_code == 422
    )
    assert client.post(f"/blogs/posts/{post.pk}/publish/", {"go_live_at": "not a date"}).status_code == 400
    assert client.post(f"/blogs/posts/{post.pk}/publish/", {}).status_code == 302
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/blogs/posts/{post.pk}/").content.decode()
    assert 'property="og:title" content="Wat we leerden"' in page and 'property="og:image"' in page
    assert "minute read" in page and "<script>x" not in page
    feed = Client().get("/blogs/feed/")
    assert (
        feed.status_code == 200
        and b"Wat we leerden" in feed.content
        and feed["Content-Type"].startswith("application/atom+xml")
    )
    assert b"Wat we leerden" in Client().get(f"/blogs/spaces/{c.space.pk}/feed/").content
    home = Client().get(f"/blogs/spaces/{c.space.pk}/")
    assert b"Wat we leerden" in home.content


def test_bad_form_input_is_a_4xx_with_a_message_and_nothing_stored(cast):
    c = cast()
    client = logged_in(c.author)
    not_an_image = SimpleUploadedFile("cover.png", b"<html>not an image</html>", content_type="image/png")
    cases = [
        {"title": "T", "visibility": "space", "cover_file": not_an_image, "cover_alt": "x"},
        {"title": "T", "visibility": "space", "cover_file": png()},  # no alt text
        {"title": "x" * 201, "visibility": "space"},
        {"title": "T", "visibility": "everyone"},
    ]
    for data in cases:
        response = client.post(f"/blogs/write/?space={c.space.pk}", data)
        assert response.status_code == 400, data
        assert b"utrecht-form-field-error-message" in response.content
    assert not Post.objects.exists()


def test_comment_reply_react_report_and_hide_through_the_pages(cast, write):
    c = cast()
    post = write(c.author, c.space)
    member = logged_in(c.member)
    assert (
        member.post(
            f"/blogs/posts/{post.pk}/comments/", {"body": "<img src=x onerror=alert(1)> Hoi @Anna"}
        ).status_code
        == 302
    )
    comment = Comment.objects.get()
    page = logged_in(c.author).get(f"/blogs/posts/{post.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    author = logged_in(c.author)
    assert (
        author.post(f"/blogs/posts/{post.pk}/comments/", {"body": "Dank", "parent": comment.pk}).status_code
        == 302
    )
    assert (
        author.post(f"/blogs/posts/{post.pk}/comments/", {"body": "", "parent": comment.pk}).status_code
        == 400
    )
    assert (
        author.post(f"/blogs/posts/{post.pk}/comments/{comment.pk}/react/", {"emoji": "👍"}).status_code
        == 302
    )
    assert (
        author.post(f"/blogs/posts/{post.pk}/comments/{comment.pk}/report/", {"reason": "Spam"}).status_code
        == 302
    )
    manager = logged_in(c.manager)
    queue = manager.get(f"/moderation/spaces/{c.space.pk}/reports/")
    assert queue.status_code == 200 and b"Spam" in queue.content
    report = comment.reports.get()
    assert (
        manager.post(
            f"/moderation/spaces/{c.space.pk}/reports/blogs/{report.pk}/resolve/", {"resolution": "hidden"}
        ).status_code
        == 302
    )
    comment.refresh_from_db()
    assert comment.state == "hidden"
    assert "Hoi @Anna" not in Client().get(f"/blogs/posts/{post.pk}/").content.decode()
    audit = manager.get(f"/moderation/spaces/{c.space.pk}/audit/")
    assert b"blog_comment.hidden" in audit.content or audit.status_code == 200


def test_revisions_compare_and_restore_pages(cast, write):
    c = cast()
    post = write(c.author, c.space, title="Een")
    actions.do_update_post(user=c.author, post=post, title="Twee")
    client = logged_in(c.author)
    history = client.get(f"/blogs/posts/{post.pk}/revisions/")
    assert history.status_code == 200
    revisions = list(post.revisions.order_by("created_at", "pk"))
    old, new = revisions[0], revisions[-1]
    compare = client.get(f"/blogs/posts/{post.pk}/revisions/compare/", {"a": old.pk, "b": new.pk})
    assert (
        compare.status_code == 200
        and b"<del>Een</del>" in compare.content
        and b"<ins>Twee</ins>" in compare.content
    )
    assert (
        client.get(f"/blogs/posts/{post.pk}/revisions/compare/", {"a": "x", "b": new.pk}).status_code == 404
    )
    stale = client.post(f"/blogs/posts/{post.pk}/revisions/{old.pk}/restore/", {"base_revision": old.pk})
    assert stale.status_code == 409
    latest = Post.objects.get(pk=post.pk).latest_revision_id
    assert (
        client.post(
            f"/blogs/posts/{post.pk}/revisions/{old.pk}/restore/", {"base_revision": latest}
        ).status_code
        == 302
    )
    assert post.revisions.count() == len(revisions) + 1


def test_the_space_home_page_has_a_blog_section(cast, write):
    from django.test import RequestFactory

    from blogs.wagtail_hooks import render_blog_section

    c = cast()
    write(c.author, c.space, title="In de sectie")
    request = RequestFactory().get("/")
    request.user = c.member
    assert "In de sectie" in render_blog_section(request, c.space)


def test_api_create_update_publish_comment_react_follow(cast, call):
    c = cast()
    created = call(
        "post",
        "/blogs/posts",
        c.author,
        {
            "space": c.space.pk,
            "title": "Via de API",
            "body": '<p onclick="x">Hoi</p><iframe src="//e"></iframe>',
            "tags": ["api"],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and "onclick" not in body["body"] and "iframe" not in body["body"]
    pid = body["id"]
    updated = call(
        "patch",
        f"/blogs/posts/{pid}",
        c.author,
        {"title": "Nieuwe titel", "base_revision": body["latest_revision"]},
    )
    assert updated.status_code == 200 and updated.json()["title"] == "Nieuwe titel"
    stale = call(
        "patch", f"/blogs/posts/{pid}", c.author, {"title": "Oud", "base_revision": body["latest_revision"]}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_revision")
    assert (
        call(
            "post", f"/blogs/posts/{pid}/publish", c.author, {"go_live_at": "2001-01-01T00:00:00Z"}
        ).status_code
        == 422
    )
    assert call("post", f"/blogs/posts/{pid}/publish", c.author, {}).json()["live"] is True
    revisions = call("get", f"/blogs/posts/{pid}/revisions", c.author).json()
    assert len(revisions) >= 2 and revisions[0]["user"]["id"] == c.author.pk
    comment = call("post", f"/blogs/posts/{pid}/comments", c.member, {"body": "Hoi"})
    assert comment.status_code == 201
    cid = comment.json()["id"]
    assert call("post", f"/blogs/comments/{cid}/reactions", c.author, {"emoji": "🎉"}).json() == {"🎉": 1}
    assert call("post", f"/blogs/comments/{cid}/reactions", c.author, {"emoji": "💩"}).status_code == 422
    assert call("put", f"/blogs/posts/{pid}/follow", c.manager, {"on": True}).json() == {"following": True}
    assert call("put", f"/blogs/posts/{pid}/comments-closed", c.author, {"closed": True}).status_code == 200
    closed = call("post", f"/blogs/posts/{pid}/comments", c.member, {"body": "Nog een"})
    assert (closed.status_code, closed.json()["code"]) == (409, "comments_closed")
    listed = call("get", "/blogs/posts", c.member, mine=True).json()
    assert [p["id"] for p in listed["results"]] == [pid]


@pytest.mark.parametrize(
    "payload",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "T", "visibility": "world"},
        {"title": "T", "extra": 1},
        {"title": "T", "tags": ["x" * 101]},
        {"title": "T", "space": "abc"},
        {"title": ["T"]},
    ],
)
def test_api_bad_input_is_a_422(cast, call, payload):
    c = cast()
    response = call(
        "post",
        "/blogs/posts",
        c.author,
        {"space": c.space.pk, **payload} if "space" not in payload else payload,
    )
    assert response.status_code == 422, response.json()
    assert response.json()["detail"]


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/blogs/posts",
        "/api/v1/blogs/posts/{post_id}",
        "/api/v1/blogs/posts/{post_id}/publish",
        "/api/v1/blogs/posts/{post_id}/revisions",
        "/api/v1/blogs/posts/{post_id}/comments",
        "/api/v1/blogs/comments/{comment_id}/reactions",
        "/api/v1/blogs/posts/{post_id}/follow",
    ):
        assert path in paths
