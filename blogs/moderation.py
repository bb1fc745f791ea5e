"""Comment reports in a space's review queue (``doeplein_report_sources``)."""

from django.utils.translation import gettext_lazy as _

from doeplein.access import check
from doeplein.plugins import ReportItem, ReportSource

from .models import CommentReport


def open_comment_reports(user, space):
    check(user, "moderate", space)
    reports = (
        CommentReport.objects.filter(status=CommentReport.Status.OPEN, comment__post__space=space)
        .select_related("comment__author", "reporter")
        .order_by("created_at", "pk")[:200]
    )
    return [
        ReportItem(
            source="blogs",
            id=r.pk,
            author=r.comment.author.display_name if r.comment.author else "",
            body=r.comment.body,
            reporter=r.reporter.display_name if r.reporter else "",
            reason=r.reason,
            created_at=r.created_at,
            url=f"/blogs/posts/{r.comment.post_id}/#comment-{r.comment_id}",
        )
        for r in reports
    ]


def resolve_comment_report(user, report_id, resolution, reason=""):
    from .actions import do_resolve_comment_report

    return do_resolve_comment_report(user=user, report_id=report_id, resolution=resolution, reason=reason)


def comment_report_source():
    return ReportSource(
        key="blogs",
        label=_("Blog comments"),
        open_reports=open_comment_reports,
        resolve=resolve_comment_report,
    )
