"""Template context the base layout needs on every page."""

from doeplein.plugins import navigation


def platform(request):
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    items = [item for item in navigation() if logged_in or not item.requires_login]
    return {"nav_items": [(item.label, item.url()) for item in items]}
