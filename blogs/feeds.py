"""Atom feeds of public posts (what anyone may read without logging in): per space and platform-wide."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from doeplein.access import get_object_or_404

from .selectors import public_posts

FEED_LENGTH = 30


class PlatformFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("New blog posts")

    def link(self):
        return "/blogs/"

    def items(self):
        return public_posts()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_author_name(self, item):
        return item.author.display_name if item.author else None

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class SpaceFeed(PlatformFeed):
    def get_object(self, request, space_id):
        from django.contrib.auth.models import AnonymousUser

        from doeplein.spaces.models import Space

        # Only spaces anyone may see have a feed; the others answer 404 like missing ones.
        return get_object_or_404(AnonymousUser(), Space.objects.all(), "view", pk=space_id)

    def title(self, obj):
        return _("Blog of %(name)s") % {"name": obj.name}

    def link(self, obj):
        return f"/blogs/spaces/{obj.pk}/"

    def items(self, obj):
        return public_posts(space=obj)[:FEED_LENGTH]
