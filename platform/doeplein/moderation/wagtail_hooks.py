"""The back office's read-only view of reports and of the moderation audit log.

Reports are resolved on the site (the review queue beside a room, or /moderation/spaces/<id>/reports/),
through the actions that hide, sanction and write the audit log; the Wagtail admin lists and inspects
them only. The audit log is never editable anywhere.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import AuditEntry, Report


class ReadOnlyPolicy(ModelPermissionPolicy):
    """List and inspect only: every change goes through the moderation actions."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "lock", "unlock", "publish"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Report, ReadOnlyPolicy(Report), exact_class=True)
register_permission_policy(AuditEntry, ReadOnlyPolicy(AuditEntry), exact_class=True)


class ReportViewSet(ModelViewSet):
    model = Report
    icon = "warning"
    menu_label = _("Reports")
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["reason", "message", "reporter", "status", "created_at", "resolved_by"]
    list_filter = ["status"]
    search_fields = ["reason"]
    search_backend_name = None  # plain database search: no index to keep in step
    inspect_view_fields = [
        "message",
        "reporter",
        "reason",
        "status",
        "created_at",
        "resolved_by",
        "resolved_at",
    ]
    form_fields = ["reason"]  # required by the viewset; the add and edit views are never allowed


class AuditEntryViewSet(ModelViewSet):
    model = AuditEntry
    icon = "history"
    menu_label = _("Audit log")
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["created_at", "actor", "action", "target_user", "space", "reason"]
    list_filter = ["action"]
    search_fields = ["action", "reason"]
    search_backend_name = None
    inspect_view_fields = [
        "created_at",
        "actor",
        "action",
        "target_user",
        "space",
        "room",
        "message",
        "reason",
        "data",
    ]
    form_fields = ["reason"]  # required by the viewset; the add and edit views are never allowed


class ModerationViewSetGroup(ViewSetGroup):
    menu_label = _("Moderation")
    menu_icon = "warning"
    menu_order = 250
    items = (
        ReportViewSet("moderation_reports", url_prefix="moderation/reports"),
        AuditEntryViewSet("moderation_audit", url_prefix="moderation/audit"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ModerationViewSetGroup()
