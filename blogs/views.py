"""Blog pages. Thin: forms parse, actions change, selectors read through the gate."""

import difflib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doeplein.access import can, get_object_or_404
from doeplein.core.exceptions import ActionError
from doeplein.spaces.models import Space

from . import actions, selectors
from .forms import CommentForm, ListFilterForm, PostForm, ScheduleForm
from .models import PROFILE_KIND, Comment

PER_PAGE = 20


def _refuse(request, exc, status=None):
    return render(
        request,
        "error.html",
        {"status": status or exc.status, "message": exc.message},
        status=status or exc.status,
    )


def _filters(request):
    form = ListFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "theme": data.get("theme") or None,
        "tag": data.get("tag") or None,
        "sort": data.get("sort") or "newest",
    }


class Page:
    """A page of a list without counting the list: one row more than a page tells whether there is a
    next one. (Counting a busy space's posts through the gate cost more than the whole page.)"""

    def __init__(self, rows, number):
        self.number = number
        self.object_list = rows[:PER_PAGE]
        self.has_next = len(rows) > PER_PAGE
        self.has_previous = number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = number + 1
        self.previous_page_number = number - 1


def page_of(posts, raw):
    raw = str(raw or "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1
    start = (number - 1) * PER_PAGE
    return Page(list(posts[start : start + PER_PAGE + 1]), number)


def _listing(request, posts, **context):
    page = page_of(posts, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    from doeplein.home.models import Theme

    return render(
        request,
        "blogs/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "filters": _filters(request),
            "themes": Theme.objects.all(),
            **context,
        },
    )


def listing(request):
    filters = _filters(request)
    mine = request.GET.get("scope") == "mine" and request.user.is_authenticated
    posts = (
        selectors.new_in_my_spaces(user=request.user, **filters)
        if mine
        else selectors.post_list(user=request.user, **filters)
    )
    return _listing(
        request,
        posts,
        scope="mine" if mine else "all",
        heading=_("New in my spaces") if mine else _("Blogs"),
        drafts=list(selectors.drafts_of(user=request.user)[:20]),
    )


def _space(request, space_id, action="view"):
    return get_object_or_404(request.user, Space.objects.select_related("parent"), action, pk=space_id)


def space_posts(request, space_id):
    space = _space(request, space_id)
    posts = selectors.post_list(user=request.user, space=space, **_filters(request))
    return _listing(
        request,
        posts,
        space=space.specific,
        heading=_("Blog of %(name)s") % {"name": space.name},
        following=selectors.is_following(user=request.user, space=space),
        may_write=can(request.user, "contribute", space),
        may_manage=can(request.user, "manage", space) and space.kind != PROFILE_KIND,
        review_required=actions.space_requires_review(space),
    )


def person_posts(request, user_id):
    from doeplein.accounts.models import User

    person = (
        User.objects.filter(pk=user_id, is_active=True, is_deleted=False).first() if user_id < 2**62 else None
    )
    if person is None:
        raise Http404
    posts = selectors.post_list(user=request.user, author=person, **_filters(request))
    return _listing(
        request,
        posts,
        person=person,
        heading=_("Posts by %(name)s") % {"name": person.display_name},
        following=selectors.is_following(user=request.user, person=person),
    )


def _store_cover(user, form):
    upload = form.cleaned_data.get("cover_file")
    if not upload:
        return {}
    from wagtail.images import get_image_model

    image = get_image_model().objects.create(
        title=form.cleaned_data["title"][:255], file=upload, uploaded_by_user=user
    )
    return {"cover": image}


@login_required
def write(request):
    space_id = request.GET.get("space") or request.POST.get("space")
    space = _space(request, int(space_id)) if space_id and space_id.isdigit() and len(space_id) < 19 else None
    choices = selectors.attachment_choices(user=request.user, space=space)
    form = PostForm(request.POST or None, request.FILES or None, attachment_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    fields = {**form.post_fields(), **_store_cover(request.user, form)}
                    post = actions.do_create_post(user=request.user, space=space, **fields)
                messages.success(request, _("Your draft is saved."))
                return redirect("blogs:post", pk=post.pk)
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
        else:
            status = 400
    elif space is not None:
        actions.check_create_post(user=request.user, space=space)
    return render(request, "blogs/form.html", {"form": form, "space": space}, status=status)


def post_detail(request, pk):
    post = selectors.post_by_id(user=request.user, pk=pk)
    may_change = can(request.user, "change", post)
    may_moderate = can(request.user, "moderate", post.space)
    comments = selectors.comments_of(user=request.user, post=post) if post.live else []
    may_comment = (
        request.user.is_authenticated
        and post.live
        and not post.comments_closed
        and (post.space.kind == PROFILE_KIND or can(request.user, "contribute", post.space))
    )
    _mark_actions(request.user, comments, may_moderate=may_moderate, may_comment=may_comment)
    context = {
        "post": post,
        "space": post.space.specific,
        "is_profile": post.space.kind == PROFILE_KIND,
        "comments": comments,
        "comment_form": CommentForm(),
        "schedule_form": ScheduleForm(),
        "may_change": may_change,
        "may_moderate": may_moderate,
        "may_comment": may_comment,
        # Reacting needs the same standing as commenting (closing comments leaves reactions open).
        "may_react": request.user.is_authenticated
        and post.live
        and (post.space.kind == PROFILE_KIND or can(request.user, "contribute", post.space)),
        "comment_base": reverse("blogs:comment", kwargs={"pk": post.pk}),
        "following": selectors.is_following(user=request.user, post=post),
        "related": selectors.related_posts(user=request.user, post=post) if post.live else [],
        "attachments": selectors.attachments_of(user=request.user, post=post),
        "is_public": post.live and can(AnonymousUser(), "view", post),
        "in_review": post.workflow_in_progress,
        "review_required": actions.space_requires_review(post.space),
        "author_profile": getattr(post.author, "profile", None) if post.author else None,
        "edit_window_minutes": actions.COMMENT_EDIT_WINDOW.seconds // 60,
        "reactions": actions.ALLOWED_REACTIONS,
    }
    return render(request, "blogs/post.html", context)


def _mark_actions(user, comments, *, may_moderate, may_comment):
    """What the viewer may do with each comment, decided once here (no query per comment) so that the
    template shows only those actions."""
    now = timezone.now()
    for c in comments:
        own = c.author_id == user.pk and user.is_authenticated
        c.may_edit = own and actions.may_edit_comment(user, c, now)
        c.may_delete = own and c.state != Comment.State.DELETED
        c.may_report = user.is_authenticated and not own
        c.may_reply = may_comment and not c.parent_id
        c.may_hide = may_moderate
        _mark_actions(user, getattr(c, "reply_list", ()), may_moderate=may_moderate, may_comment=False)


def _editable(request, pk):
    post = selectors.post_by_id(user=request.user, pk=pk)
    if not can(request.user, "change", post):
        raise Http404 if not can(request.user, "view", post) else _forbidden()
    return post


def _forbidden():
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("Only the author and the space's managers can change this post."))


@login_required
def edit(request, pk):
    post = _editable(request, pk)
    latest = post.get_latest_revision_as_object()
    status = 200
    attach = {
        "attachment_choices": selectors.attachment_choices(user=request.user, space=post.space),
        "current_attachments": latest.attachments or [],
    }
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, has_cover=latest.cover_id is not None, **attach)
        if form.is_valid():
            try:
                with transaction.atomic():
                    fields = {**form.post_fields(), **_store_cover(request.user, form)}
                    if form.cleaned_data.get("remove_cover"):
                        fields["cover"] = None
                    actions.do_update_post(
                        user=request.user,
                        post=post,
                        base_revision_id=form.cleaned_data.get("base_revision"),
                        **fields,
                    )
                    if post.locked and post.locked_by_id == request.user.pk:
                        actions.do_unlock_post(user=request.user, post=post)
                messages.success(request, _("Saved as a new version."))
                return redirect("blogs:post", pk=post.pk)
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
        else:
            status = 400
    else:
        try:
            actions.do_lock_post(user=request.user, post=post)
        except ActionError as exc:
            return _refuse(request, exc)
        form = PostForm(
            has_cover=latest.cover_id is not None,
            **attach,
            initial={
                "attachments": latest.attachments or [],
                "title": latest.title,
                "summary": latest.summary,
                "body": latest.body,
                "cover_alt": latest.cover_alt,
                "themes": list(latest.themes.all()),
                "tags": ", ".join(t.name for t in latest.tags.all()),
                "visibility": latest.visibility,
                "base_revision": post.latest_revision_id,
            },
        )
    return render(request, "blogs/form.html", {"form": form, "post": post, "latest": latest}, status=status)


@login_required
@require_POST
def unlock(request, pk):
    post = _editable(request, pk)
    try:
        actions.do_unlock_post(user=request.user, post=post)
    except ActionError as exc:
        return _refuse(request, exc)
    return redirect("blogs:post", pk=post.pk)


@login_required
def preview(request, pk):
    post = _editable(request, pk)
    obj = post.get_latest_revision_as_object()
    return obj.serve_preview(request, obj.default_preview_mode)


@login_required
@require_POST
def publish(request, pk):
    post = _editable(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return render(
            request, "error.html", {"status": 400, "message": _("Give a valid date and time.")}, status=400
        )
    try:
        post = actions.do_publish_post(
            user=request.user,
            post=post,
            go_live_at=form.cleaned_data["go_live_at"],
            expire_at=form.cleaned_data["expire_at"],
        )
    except ActionError as exc:
        return _refuse(request, exc)
    messages.success(request, _("Published.") if post.live else _("Scheduled."))
    return redirect("blogs:post", pk=post.pk)


def _on_editable_post(request, pk, action, done):
    """Run ``action`` on a post the person may edit, then back to the post with ``done`` (or the refusal)."""
    post = _editable(request, pk)
    try:
        action(user=request.user, post=post)
    except ActionError as exc:
        return _refuse(request, exc)
    messages.success(request, done)
    return redirect("blogs:post", pk=post.pk)


@login_required
@require_POST
def unpublish(request, pk):
    return _on_editable_post(request, pk, actions.do_unpublish_post, _("The post is offline again."))


@login_required
@require_POST
def submit_for_review(request, pk):
    return _on_editable_post(
        request, pk, actions.do_submit_for_review, _("Sent to the space's managers for review.")
    )


@login_required
@require_POST
def review(request, pk):
    post = selectors.post_by_id(user=request.user, pk=pk)
    try:
        actions.do_review(
            user=request.user,
            post=post,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        )
    except ActionError as exc:
        return _refuse(request, exc)
    return redirect("blogs:post", pk=post.pk)


@login_required
def revisions(request, pk):
    post = _editable(request, pk)
    history = list(post.revisions.select_related("user").order_by("-created_at", "-pk")[:100])
    return render(request, "blogs/revisions.html", {"post": post, "revisions": history})


BLOCK_END = re.compile(r"</(?:p|h2|h3|li|blockquote)>|<br\s*/?>")


def _text(obj):
    return {
        _("Title"): obj.title,
        _("Summary"): obj.summary,
        # One line per block of the editor (paragraph, heading, list item, quote) and per line break.
        _("Text"): strip_tags(BLOCK_END.sub("\n", obj.body)),
        _("Cover image description"): obj.cover_alt,
        _("Who may read it"): obj.get_visibility_display(),
    }


@login_required
def compare(request, pk):
    post = _editable(request, pk)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    found = {
        str(r.pk): r for r in post.revisions.filter(pk__in=[x for x in (a, b) if x.isdigit() and len(x) < 19])
    }
    if a not in found or b not in found:
        raise Http404
    old, new = _text(found[a].as_object()), _text(found[b].as_object())
    changes = []
    for label in old:
        if old[label] != new[label]:
            diff = list(difflib.ndiff(old[label].splitlines() or [""], new[label].splitlines() or [""]))
            changes.append(
                {"label": label, "lines": [(line[:1], line[2:]) for line in diff if line[:1] in "+- "]}
            )
    return render(
        request, "blogs/compare.html", {"post": post, "a": found[a], "b": found[b], "changes": changes}
    )


@login_required
@require_POST
def restore(request, pk, revision_id):
    post = _editable(request, pk)
    base = request.POST.get("base_revision", "")
    try:
        actions.do_restore_revision(
            user=request.user,
            post=post,
            revision_id=revision_id,
            base_revision_id=int(base) if base.isdigit() and len(base) < 19 else None,
        )
    except ActionError as exc:
        return _refuse(request, exc)
    messages.success(request, _("The earlier version is back, as a new version."))
    return redirect("blogs:revisions", pk=post.pk)


@login_required
@require_POST
def close_comments(request, pk):
    post = selectors.post_by_id(user=request.user, pk=pk)
    actions.do_close_comments(user=request.user, post=post, closed=request.POST.get("closed") != "0")
    return redirect("blogs:post", pk=post.pk)


# --- Comments -------------------------------------------------------------------------------------
@login_required
@require_POST
def add_comment(request, pk):
    post = selectors.post_by_id(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "error.html",
            {"status": 400, "message": _("A comment is 1 to 5000 characters.")},
            status=400,
        )
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
        if parent is None:
            return render(
                request,
                "error.html",
                {"status": 400, "message": _("You can only reply to a comment on this post.")},
                status=400,
            )
    try:
        comment = actions.do_add_comment(
            user=request.user, post=post, body=form.cleaned_data["body"], parent=parent
        )
    except ActionError as exc:
        return _refuse(request, exc)
    return redirect(post.get_absolute_url() + f"#comment-{comment.pk}")


def _comment(request, pk, comment_id):
    post = selectors.post_by_id(user=request.user, pk=pk)
    from doeplein.access import visible

    comment = (
        visible(request.user, Comment.objects.filter(pk=comment_id, post=post)).first()
        if comment_id < 2**62
        else None
    )
    if comment is None:
        raise Http404
    comment.post = post
    return post, comment


# The actions on a comment that need words (the others are one button each). Without script each is
# a small page of its own; with it, post.js puts the same form under the comment.
TEXT_VERBS = ("reply", "edit", "report", "hide")


def _check_text_action(user, post, comment, verb):
    if verb == "reply":
        actions.check_may_comment(user=user, post=post, parent=comment)
    elif verb == "edit":
        actions.check_may_edit_comment(user=user, comment=comment)
    elif verb == "report":
        actions.check_may_report_comment(user=user, comment=comment)
    else:
        actions.check_may_moderate_comment(user=user, comment=comment)


def comment_form(request, post, comment, verb):
    """GET on a text action: the one form for it, for the people who may take it."""
    if verb not in TEXT_VERBS:
        raise Http404
    try:
        _check_text_action(request.user, post, comment, verb)
    except ActionError as exc:
        return _refuse(request, exc)
    return render(
        request,
        "blogs/comment_form.html",
        {
            "post": post,
            "comment": comment,
            "verb": verb,
            "comment_base": reverse("blogs:comment", kwargs={"pk": post.pk}),
            "edit_window_minutes": actions.COMMENT_EDIT_WINDOW.seconds // 60,
        },
    )


@login_required
def comment_action(request, pk, comment_id, verb):
    post, comment = _comment(request, pk, comment_id)
    if request.method == "GET":
        return comment_form(request, post, comment, verb)
    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if verb == "reply":
            raise Http404  # replies are posted to the post's comments, with the parent
        if verb == "edit":
            actions.do_edit_comment(user=request.user, comment=comment, body=request.POST.get("body", ""))
        elif verb == "delete":
            actions.do_delete_comment(user=request.user, comment=comment)
        elif verb == "react":
            # One button each: name "emoji" adds the reaction, name "remove" takes the viewer's back.
            removing = "remove" in request.POST
            emoji = request.POST.get("remove" if removing else "emoji", "")
            actions.do_react(
                user=request.user,
                comment=comment,
                emoji=emoji,
                on=not removing and request.POST.get("on") != "0",
            )
        elif verb == "report":
            actions.do_report_comment(
                user=request.user, comment=comment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Thank you. The space's managers will look at it."))
        elif verb == "hide":
            actions.do_hide_comment(user=request.user, comment=comment, reason=request.POST.get("reason", ""))
        elif verb == "unhide":
            actions.do_unhide_comment(user=request.user, comment=comment)
        else:
            raise Http404
    except ActionError as exc:
        return _refuse(request, exc)
    return redirect(post.get_absolute_url() + f"#comment-{comment.pk}")


# --- Follows and settings ----------------------------------------------------------------------------
@login_required
@require_POST
def follow(request, kind, target_id):
    on = request.POST.get("on") != "0"
    if kind == "post":
        post = selectors.post_by_id(user=request.user, pk=target_id)
        actions.do_follow(user=request.user, post=post, on=on)
        return redirect("blogs:post", pk=post.pk)
    if kind == "space":
        space = _space(request, target_id)
        actions.do_follow(user=request.user, space=space, on=on)
        return redirect("blogs:space", space_id=space.pk)
    from doeplein.accounts.models import User

    person = User.objects.filter(pk=target_id, is_active=True).first() if target_id < 2**62 else None
    if person is None:
        raise Http404
    try:
        actions.do_follow(user=request.user, person=person, on=on)
    except ActionError as exc:
        return _refuse(request, exc)
    return redirect("blogs:person", user_id=person.pk)


@login_required
@require_POST
def space_settings(request, space_id):
    space = _space(request, space_id)
    actions.do_set_blog_settings(
        user=request.user, space=space, review_required=request.POST.get("review_required") == "1"
    )
    messages.success(request, _("Saved."))
    return redirect("blogs:space", space_id=space.pk)
