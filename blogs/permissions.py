"""Wagtail's permission policy for posts. Who may do what to a post is the gate's answer; Wagtail's own
machinery (a workflow that publishes on approval) asks this policy, which says yes only while an action
that has already asked the gate runs, and otherwise answers as Django's model permissions do."""

import contextlib
import contextvars

from wagtail.permission_policies import ModelPermissionPolicy

_checked = contextvars.ContextVar("blogs_gate_checked", default=False)


@contextlib.contextmanager
def gate_checked():
    token = _checked.set(True)
    try:
        yield
    finally:
        _checked.reset(token)


class GatePolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if _checked.get():
            return True
        return super().user_has_permission(user, action)
