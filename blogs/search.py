"""What the blogs plugin gives the site search and the activity profiles.

Search (``doeplein_search_sources``, docs/search.md): live posts and their visible comments, found by
whoever may view the post's space. A post narrowed below its space's audience (logged-in, members or
managers only) is left out of the search altogether, since the search's "view" guard is the space's:
leaving it out can never show it to someone the narrowing excludes.

Activity profiles (``doeplein_profile_sources``): live posts and visible comments as records, and
"commented on the post of" as interaction edges (one comment = one reply-equivalent). The teams core
keeps only records and edges in spaces every logged-in user may see.
"""

from django.db.models import F, Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from doeplein.plugins import (
    ActivityRecord,
    InteractionEdge,
    ProfileSource,
    SearchBulk,
    SearchDoc,
    SearchSource,
)

from .models import Comment, Post, PostVisibility


def searchable_posts():
    return Post.objects.filter(live=True, visibility=PostVisibility.SPACE).select_related("space")


def searchable_comments():
    return Comment.objects.filter(
        state=Comment.State.VISIBLE, post__live=True, post__visibility=PostVisibility.SPACE
    ).select_related("post")


def post_documents(post):
    return [
        SearchDoc(
            object_id=post.pk,
            title=post.title,
            body=f"{post.summary}\n{strip_tags(post.body or '')}",
            url=post.get_absolute_url(),
            space_id=post.space_id,
            guard="view",
            person_id=post.author_id,
            date=post.first_published_at or post.created_at,
        )
    ]


def comment_documents(comment):
    return [
        SearchDoc(
            object_id=comment.pk,
            title="",
            heading=comment.post.title,
            body=comment.body,
            url=f"{comment.post.get_absolute_url()}#comment-{comment.pk}",
            space_id=comment.post.space_id,
            guard="view",
            person_id=comment.author_id,
            date=comment.created_at,
        )
    ]


def post_bulk():
    """The same documents as :func:`post_documents`, as SQL (a rebuild of the whole platform)."""
    from django.db.models import TextField, Value
    from django.db.models.functions import Coalesce, Concat

    from doeplein.search.bulk import strip_tags as sql_strip_tags
    from doeplein.search.bulk import url

    return SearchBulk(
        queryset=Post.objects.filter(live=True, visibility=PostVisibility.SPACE),
        fields={
            "object_id": F("pk"),
            "title": F("title"),
            "body": Concat(F("summary"), Value("\n"), sql_strip_tags(F("body")), output_field=TextField()),
            "url": url("blogs:post", pk=F("pk")),
            "space_id": F("space_id"),
            "person_id": F("author_id"),
            "date": Coalesce(F("first_published_at"), F("created_at")),
        },
    )


def comment_bulk():
    """The same documents as :func:`comment_documents`, as SQL."""
    from django.db.models import TextField, Value
    from django.db.models.functions import Cast, Concat

    from doeplein.search.bulk import url

    return SearchBulk(
        queryset=Comment.objects.filter(
            state=Comment.State.VISIBLE, post__live=True, post__visibility=PostVisibility.SPACE
        ),
        fields={
            "object_id": F("pk"),
            "title": Value(""),
            "heading": F("post__title"),
            "body": F("body"),
            "url": Concat(
                url("blogs:post", pk=F("post_id")),
                Value("#comment-"),
                Cast(F("pk"), TextField()),
                output_field=TextField(),
            ),
            "space_id": F("post__space_id"),
            "person_id": F("author_id"),
            "date": F("created_at"),
        },
    )


def _comment_ids_of_post(post):
    return list(Comment.objects.filter(post=post).values_list("pk", flat=True))


def search_sources():
    return [
        SearchSource(
            key="post",
            label=_("Blog posts"),
            queryset=searchable_posts,
            documents=post_documents,
            bulk=post_bulk,
        ),
        SearchSource(
            key="comment",
            label=_("Comments"),
            queryset=searchable_comments,
            documents=comment_documents,
            triggers=((Comment, lambda c: [c.pk]), (Post, _comment_ids_of_post)),
            bulk=comment_bulk,
        ),
    ]


def _records(person_ids):
    posts = Post.objects.filter(live=True, visibility=PostVisibility.SPACE)
    comments = Comment.objects.filter(
        state=Comment.State.VISIBLE, post__live=True, post__visibility=PostVisibility.SPACE
    )
    if person_ids is not None:
        posts, comments = posts.filter(author_id__in=person_ids), comments.filter(author_id__in=person_ids)
    for post in posts.prefetch_related("themes").iterator(chunk_size=500):
        yield ActivityRecord(
            person_id=post.author_id,
            kind="post",
            text=f"{post.title} {post.summary}",
            themes=tuple(t.name for t in post.themes.all()),
            space_id=post.space_id,
            at=post.first_published_at,
        )
    for body, author_id, space_id, at in comments.values_list(
        "body", "author_id", "post__space_id", "created_at"
    ).iterator():
        if author_id:
            yield ActivityRecord(person_id=author_id, kind="comment", text=body, space_id=space_id, at=at)


def _edges(person_ids):
    comments = Comment.objects.filter(
        state=Comment.State.VISIBLE,
        post__live=True,
        post__visibility=PostVisibility.SPACE,
        author__isnull=False,
    ).exclude(author_id=F("post__author_id"))
    if person_ids is not None:
        comments = comments.filter(Q(author_id__in=person_ids) | Q(post__author_id__in=person_ids))
    for a, b, space_id, at in comments.values_list(
        "author_id", "post__author_id", "post__space_id", "created_at"
    ).iterator():
        if b:
            yield InteractionEdge(a=a, b=b, kind="comment", weight=1.0, space_id=space_id, at=at)


def profile_sources():
    return [ProfileSource(key="blogs", records=_records, edges=_edges, weight=1.0)]
