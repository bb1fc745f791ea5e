"""Back-office building blocks shared by the core and plugins."""

from wagtail.permission_policies import ModelPermissionPolicy

READ_ONLY_REFUSED = ("add", "change", "delete", "lock", "unlock", "publish")


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The back office lists and inspects; changes go through the site's pages and actions only,
    so that every change is checked, recorded and announced the same way."""

    def user_has_permission(self, user, action):
        if action in READ_ONLY_REFUSED:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
