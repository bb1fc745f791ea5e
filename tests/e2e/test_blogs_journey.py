"""The blog journey in real browsers, served by uvicorn (pages and websockets), at desktop and phone sizes.

In a members-only workspace, a member writes a draft with a cover image, its body typed in Wagtail's
Draftail editor (bold text from the toolbar, reached by keyboard; a link from the link dialog, which
refuses a ``javascript:`` address), previews it and schedules it; when its time comes the beat task publishes it (the test runs ``publish_scheduled_posts`` as beat does,
after moving the scheduled time into the past: the clock cannot be moved in the server process). A
second member comments and mentions the first, whose open post page shows the comment and the
notification live; the first replies (the reply form opens under the comment) and reports an off-topic
comment; the community manager hides it from the review queue, and it is gone from the post page; an
outsider finds none of it: not the post, not the space's blog, not the lists, not the feed. Every page
on the way passes axe-core's WCAG 2.1 A/AA rules (screenshots in var/screenshots/).
"""

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import SIZES
from tests.e2e.test_discussion_journey import LIVE, PASSWORD, asgi_server, log_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Wat we leerden van de dijkproef"
MENTION = "Mooi verslag, @Anna Auteur! Hoe lang liep de proef?"
OFF_TOPIC = "Koop nu goedkope zonnepanelen via mijn site!!!"
REPLY = "Zes weken, van september tot half oktober."
LINK = "https://www.example.nl/dijkproef"


def cover_png():
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (640, 360), (40, 120, 80)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def blog_setting(make_user):
    """A members-only workspace with its owner, a community manager, two members, and an outsider."""
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # the migrations' root collection, gone after a flush
        Collection.add_root(name="Root")
    from doeplein.home.models import Theme
    from doeplein.spaces.models import Membership, Role
    from workspaces.actions import do_open_workspace

    owner = make_user(role="civil_servant", password=PASSWORD, first_name="Olga", last_name="Eigenaar")
    manager = make_user(password=PASSWORD, first_name="Mira", last_name="Manager")
    author = make_user(password=PASSWORD, first_name="Anna", last_name="Auteur")
    commenter = make_user(password=PASSWORD, first_name="Bram", last_name="Lezer")
    outsider = make_user(password=PASSWORD, first_name="Otto", last_name="Buiten")
    workspace = do_open_workspace(
        user=owner,
        name="Dijken van morgen",
        slug="dijken-van-morgen",
        themes=[Theme.objects.create(name="Klimaatadaptatie", slug="klimaatadaptatie")],
        visibility="members",
    )
    Membership.objects.create(space=workspace, user=manager, role=Role.COMMUNITY_MANAGER)
    Membership.objects.create(space=workspace, user=author, role=Role.MEMBER)
    Membership.objects.create(space=workspace, user=commenter, role=Role.MEMBER)
    return workspace, manager, author, commenter, outsider


def write_body_in_draftail(page, look):
    """The member types the body in Wagtail's Draftail editor: bold from the toolbar, reached with the
    keyboard (Shift+Tab from the text to the toolbar, Enter on Bold), and a link made in the link dialog,
    which refuses a ``javascript:`` address first."""
    editor = page.get_by_role("textbox", name="Text")
    editor.wait_for()
    assert page.locator("textarea[name=body]").is_disabled()  # the editor, not the text area, is sent
    editor.click()
    page.keyboard.type("De proef liep zes weken.")
    page.keyboard.press("ArrowLeft")
    for _ in range(len("zes weken")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+Tab")  # to the toolbar: one Tab stop
    bold = page.locator(".Draftail-ToolbarButton[name=BOLD]")
    assert page.evaluate("document.activeElement.getAttribute('name')") == "BOLD"
    page.keyboard.press("Enter")
    bold.and_(page.locator(".Draftail-ToolbarButton--active")).wait_for()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Lees het verslag")
    for _ in range(len("verslag")):
        page.keyboard.press("Shift+ArrowLeft")
    page.locator(".Draftail-ToolbarButton[name=LINK]").click()
    dialog = page.get_by_role("dialog", name="Link")
    dialog.wait_for()
    address = dialog.get_by_label("Web address or e-mail address")
    assert page.evaluate("document.activeElement.id") == "blog-link-url"
    address.fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Add link").click()
    assert dialog.get_by_text("This is not a web address or an e-mail address.").is_visible()
    assert address.get_attribute("aria-invalid") == "true"
    look(page, "blogs-write-link-dialog")
    address.fill(LINK.removeprefix("https://"))
    dialog.get_by_role("button", name="Add link").click()
    dialog.wait_for(state="hidden")
    page.locator(".public-DraftEditor-content a", has_text="verslag").wait_for()


def beat(task):
    """Run a beat task as the worker would: in a thread of its own (this one runs Playwright's event
    loop, beside which the task's live events could not be sent)."""
    import threading

    from django.db import connection

    result = {}

    def run():
        try:
            result.update(task.run())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result


def open_post(page, base, post):
    page.goto(f"{base}/blogs/posts/{post.pk}/")
    page.wait_for_selector("[data-live-post][data-live-connected='1']", timeout=LIVE)


def test_write_schedule_publish_comment_mention_reply_report_hide_and_an_outsider_sees_nothing(
    asgi_server,  # noqa: F811
    browser,
    blog_setting,
    screen,
    look,
):
    from blogs.models import Comment, CommentReport, Post
    from blogs.tasks import publish_scheduled_posts
    from doeplein.notifications.models import Notification

    workspace, manager, author, commenter, outsider = blog_setting
    base = asgi_server.origin

    def page_for(user):
        page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
        log_in(page, base, user.email)
        return page

    # The member writes a draft with a cover image (and its description), in the workspace.
    writer = page_for(author)
    writer.goto(f"{base}/blogs/spaces/{workspace.pk}/")
    look(writer, "blogs-space")
    writer.get_by_role("link", name="Write a post").click()
    writer.wait_for_url(re.compile(r"/blogs/write/\?space="))
    writer.fill("input[name=title]", TITLE)
    writer.fill("textarea[name=summary]", "Zes weken meten aan een groene dijk.")
    write_body_in_draftail(writer, look)
    writer.set_input_files(
        "input[name=cover_file]", files=[{"name": "dijk.png", "mimeType": "image/png", "buffer": cover_png()}]
    )
    writer.fill("input[name=cover_alt]", "Een groene dijk bij laag water")
    look(writer, "blogs-write")
    with writer.expect_navigation():
        writer.get_by_role("button", name="Save draft").click()
    assert Post.objects.filter(title=TITLE).exists(), writer.inner_text("main")[:1500]
    post = Post.objects.get(title=TITLE)
    assert not post.live and post.cover_id and post.cover_alt == "Een groene dijk bij laag water"
    # What was typed in the editor is stored as Wagtail's converter writes it: bold text and the link.
    assert re.search(r"<b>zes weken</b>", post.body), post.body
    assert f'<a href="{LINK}">verslag</a>' in post.body, post.body
    assert writer.url.endswith(f"/blogs/posts/{post.pk}/")
    assert "Your draft is saved." in writer.inner_text("main")
    look(writer, "blogs-draft")

    # Previews it: the cover with its description, marked as not published.
    writer.get_by_role("link", name="Preview").click()
    writer.wait_for_url(re.compile(r"/preview/$"))
    assert "It is not published." in writer.inner_text("main")
    assert writer.locator("img[alt='Een groene dijk bij laag water']").count() == 1
    look(writer, "blogs-preview")
    writer.go_back()

    # Schedules it for later today (local time, as the browser's datetime field sends it).
    when = timezone.localtime(timezone.now() + timezone.timedelta(hours=2)).replace(second=0, microsecond=0)
    writer.get_by_label("Publish at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    with writer.expect_navigation():
        writer.get_by_role("button", name="Publish or schedule").click()
    assert "Scheduled." in writer.inner_text("main")
    post.refresh_from_db()
    assert not post.live and post.go_live_at == when
    reader = page_for(commenter)
    response = reader.goto(f"{base}/blogs/posts/{post.pk}/")
    assert response.status == 404  # a scheduled post is still a draft to the other members

    # Its time comes: beat runs the task, which publishes it.
    from wagtail.models import Revision

    past = timezone.now() - timezone.timedelta(minutes=1)
    scheduled = Revision.objects.get(object_id=str(post.pk), approved_go_live_at__isnull=False)
    scheduled.content["go_live_at"] = past.isoformat()
    scheduled.approved_go_live_at = past
    scheduled.save(update_fields=["content", "approved_go_live_at"])
    Post.objects.filter(pk=post.pk).update(go_live_at=past)
    assert beat(publish_scheduled_posts)["published"] == 1
    post.refresh_from_db()
    assert post.live and post.first_published_at is not None

    # The author waits on the post page (websocket open); the second member comments and mentions her.
    open_post(writer, base, post)
    writer.evaluate("window.sameDocument = true")
    reader.goto(f"{base}/blogs/posts/{post.pk}/")
    assert TITLE in reader.inner_text("main")
    # The published post shows the bold text and the link the author made in the editor.
    assert reader.locator(".rich-text b", has_text="zes weken").count() == 1
    assert reader.locator(f".rich-text a[href='{LINK}']", has_text="verslag").count() == 1
    look(reader, "blogs-post-reader")
    reader.get_by_label("Your comment").fill(MENTION)
    with reader.expect_navigation():
        reader.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get(post=post, body=MENTION)
    assert (comment.author, comment.parent) == (commenter, None)

    # On the author's page, without a reload: the comment arrives, and so does the notification.
    writer.locator(f"#comment-{comment.pk}", has_text=MENTION).wait_for(timeout=LIVE)
    toast = writer.locator("#live-region")
    toast.wait_for(timeout=LIVE)
    assert "Bram Lezer" in toast.inner_text() and TITLE in toast.inner_text()
    assert writer.evaluate("window.sameDocument === true")
    assert Notification.objects.filter(recipient=author, verb="blog.mentioned").count() == 1
    look(writer, "blogs-post-mentioned")

    # The second member adds an off-topic comment.
    reader.get_by_label("Your comment").fill(OFF_TOPIC)
    with reader.expect_navigation():
        reader.get_by_role("button", name="Post comment").click()
    spam = Comment.objects.get(post=post, body=OFF_TOPIC)

    # The author replies to the first comment: the reply form opens under it.
    writer.reload()
    item = writer.locator(f"#comment-{comment.pk}")
    item.get_by_role("link", name="Reply").click()
    item.get_by_label("Your reply").fill(REPLY)
    look(writer, "blogs-post-replying")
    with writer.expect_navigation():
        item.get_by_role("button", name="Reply").click()
    reply = Comment.objects.get(post=post, body=REPLY)
    assert (reply.author, reply.parent) == (author, comment)
    assert writer.locator(f"#comment-{comment.pk} .replies #comment-{reply.pk}").count() == 1
    assert Notification.objects.filter(recipient=commenter, verb="blog.reply").count() == 1

    # The second member thanks her with a reaction; the count changes on her open page, live.
    writer.wait_for_selector("[data-live-post][data-live-connected='1']", timeout=LIVE)
    reader.reload()
    with reader.expect_navigation():
        reader.locator(f"#comment-{reply.pk} button[value='👍']").click()
    assert reader.locator(f"#comment-{reply.pk} button[value='👍']").get_attribute("aria-pressed") == "true"
    writer.wait_for_function(
        "id => document.querySelector(`#comment-${id} button[value='👍']`).textContent.trim() === '👍 1'",
        arg=reply.pk,
        timeout=LIVE,
    )

    # … and reports the off-topic one, with a reason.
    off = writer.locator(f"#comment-{spam.pk}")
    off.get_by_role("link", name="Report").click()
    off.get_by_label("Why do you report this comment?").fill("Reclame")
    with writer.expect_navigation():
        off.get_by_role("button", name="Report").click()
    assert "The space's managers will look at it." in writer.inner_text("main")
    report = CommentReport.objects.get(comment=spam)
    assert (report.reporter, report.reason, report.status) == (author, "Reclame", "open")

    # The manager hides it from the space's review queue, beside the chat reports.
    moderator = page_for(manager)
    moderator.goto(f"{base}/moderation/spaces/{workspace.pk}/reports/")
    queued = moderator.locator(f"#report-blogs-{report.pk}")
    assert OFF_TOPIC in queued.inner_text() and "Reclame" in queued.inner_text()
    look(moderator, "blogs-review-queue")
    queued.get_by_label("Note (optional)").fill("Reclame hoort hier niet")
    with moderator.expect_navigation():
        queued.get_by_role("button", name="Hide the message").click()
    assert "Nothing to review." in moderator.inner_text("main")
    spam.refresh_from_db()
    report.refresh_from_db()
    assert (spam.state, report.status, report.resolved_by) == ("hidden", "hidden", manager)
    # The author's open page drops it live; its writer still sees it, marked hidden by a moderator.
    writer.locator(f"#comment-{spam.pk}").wait_for(state="detached", timeout=LIVE)
    assert OFF_TOPIC not in writer.inner_text("main") and REPLY in writer.inner_text("main")
    look(writer, "blogs-post-after-moderation")
    reader.reload()
    assert "Hidden by a moderator" in reader.locator(f"#comment-{spam.pk}").inner_text()

    # The outsider sees none of it: the post, the blog, the lists, the feed.
    stranger = page_for(outsider)
    assert stranger.goto(f"{base}/blogs/posts/{post.pk}/").status == 404
    # A members-only workspace is known to exist (a secret group would be 404): its blog says members only.
    response = stranger.goto(f"{base}/blogs/spaces/{workspace.pk}/")
    assert response.status == 403 and TITLE not in stranger.content()
    for url in (
        "/blogs/",
        "/blogs/?scope=mine",
        "/blogs/feed/",
        f"/blogs/spaces/{workspace.pk}/feed/",
        "/search/?q=dijkproef",
    ):
        response = stranger.request.get(f"{base}{url}")
        assert response.status in (200, 403) and TITLE not in response.text(), url
    stranger.goto(f"{base}/blogs/people/{author.pk}/")
    assert TITLE not in stranger.inner_text("main")
    look(stranger, "blogs-outsider-author")
    asgi_server.check_alive()


def test_the_post_page_and_its_inline_comment_forms_work_with_the_policy_enforced(
    live_server, home_site, browser, make_user, make_space
):
    """The post page's script (live comments, the comment forms it opens) and the post form's editor need
    no inline script: with the Content-Security-Policy enforced the reply form still opens under a comment,
    the Draftail editor starts, and nothing is refused."""
    from blogs.actions import do_add_comment, do_create_post, do_publish_post
    from doeplein.spaces.models import Role

    author = make_user(password=PASSWORD, first_name="Anna", last_name="Auteur")
    member = make_user(password=PASSWORD, first_name="Bram", last_name="Lezer")
    space = make_space("members", members={author: Role.MEMBER, member: Role.MEMBER})
    post = do_publish_post(
        user=author, post=do_create_post(user=author, space=space, title=TITLE, body="<p>De proef.</p>")
    )
    comment = do_add_comment(user=member, post=post, body="Een vraag over de meting.")
    context = browser.new_enforcing_context(locale="en-GB")
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, live_server.url, author.email)
    response = page.goto(f"{live_server.url}/blogs/posts/{post.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    item = page.locator(f"#comment-{comment.pk}")
    item.get_by_role("link", name="Reply").click()
    item.get_by_label("Your reply").wait_for()
    assert page.url.endswith(f"/blogs/posts/{post.pk}/")  # opened in place, not followed
    assert item.get_by_role("link", name="Reply").get_attribute("aria-expanded") == "true"
    # The post form's Draftail editor starts under the policy too (Wagtail's files and editor.js, no
    # inline script), with the post's body loaded into it.
    page.goto(f"{live_server.url}/blogs/posts/{post.pk}/edit/")
    page.get_by_role("textbox", name="Text").wait_for()
    assert page.locator(".Draftail-ToolbarButton[name=BOLD]").count() == 1
    context.close()
    assert not violations, violations
