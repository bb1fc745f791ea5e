"""Blog posts as JSON: list, read, create, update, publish, schedule, revisions, comments, reactions
and follows, through the same actions as the pages. Mounted at /api/v1/ by ``doeplein_api_routers``."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from doeplein.access import can, visible
from doeplein.api.auth import OPTIONAL
from doeplein.api.common import STRICT, Id, PageOut, paginate
from doeplein.spaces.models import Space

from . import actions, selectors
from .models import SUMMARY_MAX, TITLE_MAX, Comment

router = Router(tags=["blogs"])

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Summary = Annotated[str, StringConstraints(max_length=SUMMARY_MAX)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
AttachmentKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Visibility = Literal["space", "logged_in", "members", "managers"]
Sort = Literal["newest", "discussed"]


class AuthorOut(Schema):
    id: int
    name: str


class PostOut(Schema):
    id: int
    title: str
    summary: str
    space: int
    author: AuthorOut | None
    visibility: Visibility
    status: str = Field(..., description="draft, scheduled, live, live + draft, expired …")
    live: bool
    first_published_at: datetime | None
    go_live_at: datetime | None
    expire_at: datetime | None
    reading_minutes: int
    comment_count: int
    comments_closed: bool
    themes: list[str]
    tags: list[str]
    cover_url: str | None
    cover_alt: str
    url: str


class AttachmentOut(Schema):
    key: str
    name: str
    url: str
    download_url: str
    size: int
    content_type: str


class PostDetailOut(PostOut):
    body: str = Field(..., description="Rich text (HTML), sanitised by Wagtail's whitelist.")
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="Only those the reader may download (asked through the gate)."
    )
    latest_revision: int | None
    has_unpublished_changes: bool
    locked: bool
    may_change: bool


class PostPage(PageOut):
    results: list[PostOut]


class PostIn(Schema):
    model_config = STRICT
    space: int | None = Field(None, ge=1, le=2**62, description="The space's id; empty for your own blog.")
    title: Title
    summary: Summary = ""
    body: str = Field(
        "", max_length=200_000, description="HTML; what Wagtail's whitelist does not allow is removed."
    )
    themes: list[int] = Field(default_factory=list, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    visibility: Visibility = "space"
    attachments: list[AttachmentKey] = Field(
        default_factory=list, max_length=20, description='Keys offered for the space, e.g. "files:12".'
    )


class PostPatch(Schema):
    model_config = STRICT
    base_revision: int | None = Field(
        None, ge=1, le=2**62, description="The revision you edited; a newer one is a 409."
    )
    title: Title | None = None
    summary: Summary | None = None
    body: str | None = Field(None, max_length=200_000)
    cover_alt: Annotated[str, StringConstraints(max_length=250)] | None = None
    themes: list[int] | None = Field(None, max_length=50)
    tags: list[Tag] | None = Field(None, max_length=20)
    visibility: Visibility | None = None
    attachments: list[AttachmentKey] | None = Field(None, max_length=20)


class PublishIn(Schema):
    model_config = STRICT
    go_live_at: datetime | None = Field(
        None, description="In the future: schedule instead of publishing now."
    )
    expire_at: datetime | None = Field(None, description="After go-live: the post goes offline then.")


class RevisionOut(Schema):
    id: int
    created_at: datetime
    user: AuthorOut | None
    title: str
    live: bool


class RestoreIn(Schema):
    model_config = STRICT
    base_revision: int | None = Field(None, ge=1, le=2**62)


class CommentIn(Schema):
    model_config = STRICT
    body: str = Field(..., min_length=1, max_length=5000)
    parent: int | None = Field(None, ge=1, le=2**62, description="Reply to this top-level comment.")
    mentions: list[int] = Field(default_factory=list, max_length=20)


class CommentPatch(Schema):
    model_config = STRICT
    body: str = Field(..., min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    post: int
    parent: int | None
    author: str | None
    author_id: int | None
    body: str
    state: str
    created_at: datetime
    edited_at: datetime | None
    reactions: dict[str, int] = Field(default_factory=dict)


class ReactionIn(Schema):
    model_config = STRICT
    emoji: str = Field(..., max_length=16)
    on: bool = True


class ReportIn(Schema):
    model_config = STRICT
    reason: str = Field(..., min_length=1, max_length=500)


class FollowIn(Schema):
    model_config = STRICT
    on: bool = True


class ClosedIn(Schema):
    model_config = STRICT
    closed: bool = True


def _author(user):
    return {"id": user.pk, "name": user.display_name} if user else None


def post_out(post, request=None, detail=False):
    data = {
        "id": post.pk,
        "title": post.title,
        "summary": post.summary,
        "space": post.space_id,
        "author": _author(post.author),
        "visibility": post.visibility,
        "status": str(post.status_string),
        "live": post.live,
        "first_published_at": post.first_published_at,
        "go_live_at": post.go_live_at,
        "expire_at": post.expire_at,
        "reading_minutes": post.reading_minutes,
        "comment_count": post.comment_count,
        "comments_closed": post.comments_closed,
        "themes": [t.slug for t in post.themes.all()],
        "tags": [t.name for t in post.tags.all()],
        "cover_url": post.cover.get_rendition("width-960").url if post.cover_id else None,
        "cover_alt": post.cover_alt,
        "url": post.get_absolute_url(),
    }
    if detail:
        data.update(
            body=post.body,
            latest_revision=post.latest_revision_id,
            has_unpublished_changes=post.has_unpublished_changes,
            locked=post.locked,
            may_change=can(request.user, "change", post),
            attachments=[
                {
                    "key": a.key,
                    "name": a.name,
                    "url": a.url,
                    "download_url": a.download_url,
                    "size": a.size,
                    "content_type": a.content_type,
                }
                for a in selectors.attachments_of(user=request.user, post=post)
            ],
        )
    return data


def _listing(qs, page, per_page):
    return paginate(qs, page=page, per_page=per_page, serialize=lambda items: [post_out(p) for p in items])


@router.get("/blogs/posts", response=PostPage, auth=OPTIONAL, summary="Published posts")
def list_posts(
    request,
    space: int | None = Query(None, ge=1, le=2**62),
    author: int | None = Query(None, ge=1, le=2**62),
    mine: bool = False,
    theme: str | None = Query(None, max_length=100),
    tag: str | None = Query(None, max_length=100),
    sort: Sort = "newest",
    page: int = Query(1, ge=1, le=10**6),
    per_page: int = Query(20, ge=1, le=100),
):
    """Everywhere, in one space (`space`), by one person (`author`), or new in my spaces (`mine`)."""
    filters = {"theme": theme, "tag": tag, "sort": sort}
    if mine:
        return _listing(selectors.new_in_my_spaces(user=request.user, **filters), page, per_page)
    in_space = None
    if space is not None:
        in_space = visible(request.user, Space.objects.filter(pk=space)).first()
        if in_space is None:
            raise Http404
    qs = selectors.post_list(user=request.user, space=in_space, **filters)
    if author is not None:
        qs = qs.filter(author_id=author)
    return _listing(qs, page, per_page)


@router.get("/blogs/posts/{post_id}", response=PostDetailOut, auth=OPTIONAL, summary="A post")
def read_post(request, post_id: Id):
    """The live content; for the author and the space's managers also drafts (the latest revision)."""
    post = selectors.post_by_id(user=request.user, pk=post_id)
    if can(request.user, "change", post) and post.has_unpublished_changes:
        latest = post.get_latest_revision_as_object()
        latest.latest_revision_id = post.latest_revision_id
        return post_out(latest, request, detail=True)
    return post_out(post, request, detail=True)


@router.post("/blogs/posts", response={201: PostDetailOut}, summary="Write a draft")
def create_post(request, payload: PostIn):
    data = payload.dict()
    space_id = data.pop("space")
    space = None
    if space_id is not None:
        space = visible(request.user, Space.objects.filter(pk=space_id)).first()
        if space is None:
            raise Http404
    post = actions.do_create_post(user=request.user, space=space, **data)
    return Status(201, post_out(post, request, detail=True))


@router.patch("/blogs/posts/{post_id}", response=PostDetailOut, summary="Change a post (a new revision)")
def update_post(request, post_id: Id, payload: PostPatch):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    base = data.pop("base_revision", None)
    obj, revision = actions.do_update_post(user=request.user, post=post, base_revision_id=base, **data)
    obj.latest_revision_id = revision.pk
    return post_out(obj, request, detail=True)


@router.post("/blogs/posts/{post_id}/publish", response=PostDetailOut, summary="Publish or schedule")
def publish_post(request, post_id: Id, payload: PublishIn):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    post = actions.do_publish_post(
        user=request.user, post=post, go_live_at=payload.go_live_at, expire_at=payload.expire_at
    )
    return post_out(post, request, detail=True)


@router.post("/blogs/posts/{post_id}/unpublish", response=PostDetailOut, summary="Take a post offline")
def unpublish_post(request, post_id: Id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(actions.do_unpublish_post(user=request.user, post=post), request, detail=True)


@router.post("/blogs/posts/{post_id}/submit", response=PostDetailOut, summary="Submit for review")
def submit_post(request, post_id: Id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(actions.do_submit_for_review(user=request.user, post=post), request, detail=True)


class ReviewIn(Schema):
    model_config = STRICT
    decision: Literal["approve", "reject"]
    comment: str = Field("", max_length=1000)


@router.post("/blogs/posts/{post_id}/review", response=PostDetailOut, summary="Approve or request changes")
def review_post(request, post_id: Id, payload: ReviewIn):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(
        actions.do_review(user=request.user, post=post, decision=payload.decision, comment=payload.comment),
        request,
        detail=True,
    )


@router.post("/blogs/posts/{post_id}/lock", response=PostDetailOut, summary="Take the edit lock")
def lock_post(request, post_id: Id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(actions.do_lock_post(user=request.user, post=post), request, detail=True)


@router.delete("/blogs/posts/{post_id}/lock", response=PostDetailOut, summary="Release the edit lock")
def unlock_post(request, post_id: Id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(actions.do_unlock_post(user=request.user, post=post), request, detail=True)


@router.put(
    "/blogs/posts/{post_id}/comments-closed", response=PostDetailOut, summary="Close or open comments"
)
def close_comments(request, post_id: Id, payload: ClosedIn):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    return post_out(
        actions.do_close_comments(user=request.user, post=post, closed=payload.closed), request, detail=True
    )


def _changeable(request, post_id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    if not can(request.user, "change", post):
        raise Http404
    return post


@router.get("/blogs/posts/{post_id}/revisions", response=list[RevisionOut], summary="Revisions, newest first")
def list_revisions(request, post_id: Id):
    post = _changeable(request, post_id)
    return [
        {
            "id": r.pk,
            "created_at": r.created_at,
            "user": _author(r.user),
            "title": r.object_str,
            "live": r.pk == post.live_revision_id,
        }
        for r in post.revisions.select_related("user").order_by("-created_at", "-pk")[:100]
    ]


@router.post(
    "/blogs/posts/{post_id}/revisions/{revision_id}/restore",
    response=PostDetailOut,
    summary="Restore a revision (as a new revision)",
)
def restore_revision(request, post_id: Id, revision_id: Id, payload: RestoreIn):
    post = _changeable(request, post_id)
    obj, revision = actions.do_restore_revision(
        user=request.user, post=post, revision_id=revision_id, base_revision_id=payload.base_revision
    )
    obj.latest_revision_id = revision.pk
    return post_out(obj, request, detail=True)


def comment_out(c, reactions=None):
    return {
        "id": c.pk,
        "post": c.post_id,
        "parent": c.parent_id,
        "author": c.author.display_name if c.author else None,
        "author_id": c.author_id,
        "body": c.body,
        "state": c.state,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "reactions": reactions or {},
    }


@router.get("/blogs/posts/{post_id}/comments", response=list[CommentOut], auth=OPTIONAL, summary="Comments")
def list_comments(request, post_id: Id):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    out = []
    for c in selectors.comments_of(user=request.user, post=post):
        out.append(comment_out(c, c.reaction_counts))
        out.extend(comment_out(r, r.reaction_counts) for r in c.reply_list)
    return out


@router.post("/blogs/posts/{post_id}/comments", response={201: CommentOut}, summary="Comment or reply")
def add_comment(request, post_id: Id, payload: CommentIn):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(pk=payload.parent, post=post).first()
        if parent is None:
            raise actions.BlogError(
                "You can only reply to a comment on this post.", code="bad_parent", status=422
            )
    comment = actions.do_add_comment(
        user=request.user, post=post, body=payload.body, parent=parent, mentions=payload.mentions
    )
    return Status(201, comment_out(comment))


def _comment(request, comment_id):
    comment = (
        visible(request.user, Comment.objects.filter(pk=comment_id))
        .select_related("post__space", "author")
        .first()
    )
    if comment is None:
        raise Http404
    return comment


@router.patch("/blogs/comments/{comment_id}", response=CommentOut, summary="Edit your comment")
def edit_comment(request, comment_id: Id, payload: CommentPatch):
    return comment_out(
        actions.do_edit_comment(user=request.user, comment=_comment(request, comment_id), body=payload.body)
    )


@router.delete("/blogs/comments/{comment_id}", response={204: None}, summary="Delete your comment")
def delete_comment(request, comment_id: Id):
    actions.do_delete_comment(user=request.user, comment=_comment(request, comment_id))
    return Status(204, None)


@router.post(
    "/blogs/comments/{comment_id}/reactions", response=dict[str, int], summary="React (or take it back)"
)
def react(request, comment_id: Id, payload: ReactionIn):
    comment = actions.do_react(
        user=request.user, comment=_comment(request, comment_id), emoji=payload.emoji, on=payload.on
    )
    return actions.reaction_counts(comment.pk)


@router.post("/blogs/comments/{comment_id}/reports", response={201: dict}, summary="Report a comment")
def report(request, comment_id: Id, payload: ReportIn):
    report = actions.do_report_comment(
        user=request.user, comment=_comment(request, comment_id), reason=payload.reason
    )
    return Status(201, {"id": report.pk})


@router.put("/blogs/posts/{post_id}/follow", response=dict, summary="Follow a post (or stop)")
def follow_post(request, post_id: Id, payload: FollowIn):
    post = selectors.post_by_id(user=request.user, pk=post_id)
    actions.do_follow(user=request.user, post=post, on=payload.on)
    return {"following": payload.on}


@router.put("/blogs/spaces/{space_id}/follow", response=dict, summary="Follow a space's blog (or stop)")
def follow_space(request, space_id: Id, payload: FollowIn):
    space = visible(request.user, Space.objects.filter(pk=space_id)).first()
    if space is None:
        raise Http404
    actions.do_follow(user=request.user, space=space, on=payload.on)
    return {"following": payload.on}


@router.put("/blogs/people/{user_id}/follow", response=dict, summary="Follow a person's posts (or stop)")
def follow_person(request, user_id: Id, payload: FollowIn):
    from doeplein.accounts.models import User

    person = User.objects.filter(pk=user_id, is_active=True, is_deleted=False).first()
    if person is None:
        raise Http404
    actions.do_follow(user=request.user, person=person, on=payload.on)
    return {"following": payload.on}
