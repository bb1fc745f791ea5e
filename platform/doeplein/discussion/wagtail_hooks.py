"""The discussion registers itself like any plugin: a section on every space's home page."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_SPACE_SECTIONS, Section


def render_discussion_section(request, space):
    from .models import Room
    from .selectors import unread_counts

    room = Room.objects.filter(space=space, target_type__isnull=True).first()
    unread = unread_counts(user=request.user, rooms=[room]).get(room.pk, 0) if room else 0
    return render_to_string(
        "discussion/_section.html", {"space": space, "room": room, "unread": unread}, request=request
    )


@hooks.register(HOOK_SPACE_SECTIONS)
def discussion_section():
    return [Section(key="discussion", label=_("Discussion"), render=render_discussion_section, order=30)]


# --- Search (doeplein.plugins.HOOK_SEARCH_SOURCES, docs/search.md) ----------------------------------
# Messages are found by whoever may read their room's space; held, hidden and deleted ones are not
# indexed (a moderator hiding a message removes it from the search after commit).
def _message_documents(message):
    from django.utils.translation import gettext

    from doeplein.plugins import SearchDoc

    return [
        SearchDoc(
            object_id=message.pk,
            title="",
            heading=gettext("Message in %(room)s") % {"room": message.room.title},
            body=message.body,
            url=f"{message.room.get_absolute_url()}#m{message.seq}",
            space_id=message.room.space_id,
            guard="view",
            person_id=message.author_id,
            date=message.created_at,
        )
    ]


def _message_bulk():
    """The same documents as :func:`_message_documents`, as SQL (a rebuild of the whole platform)."""
    from django.db.models import F, TextField, Value
    from django.db.models.functions import Cast, Concat
    from django.utils.translation import gettext

    from doeplein.plugins import SearchBulk
    from doeplein.search.bulk import url

    from .models import Message

    marker = "\x00room\x00"
    before, _sep, after = (gettext("Message in %(room)s") % {"room": marker}).partition(marker)
    return SearchBulk(
        queryset=Message.objects.filter(state=Message.State.VISIBLE),
        fields={
            "object_id": F("pk"),
            "title": Value(""),
            "heading": Concat(Value(before), F("room__title"), Value(after), output_field=TextField()),
            "body": F("body"),
            "url": Concat(
                url("discussion:room", room_id=F("room_id")),
                Value("#m"),
                Cast(F("seq"), TextField()),
                output_field=TextField(),
            ),
            "space_id": F("room__space_id"),
            "person_id": F("author_id"),
            "date": F("created_at"),
        },
    )


@hooks.register("doeplein_search_sources")
def search_sources():
    from doeplein.plugins import SearchSource

    from .models import Message

    return [
        SearchSource(
            key="message",
            label=_("Discussion messages"),
            queryset=lambda: (
                Message.objects.filter(state=Message.State.VISIBLE).select_related("room").order_by("pk")
            ),
            documents=_message_documents,
            # A renamed room's messages keep their old heading until the next rebuild: re-indexing every
            # message of a room on each room save (locking, slow mode) would cost more than it gives.
            triggers=((Message, lambda m: [m.pk]),),
            watch_deletes=False,  # messages go with their room's space, never one by one
            order=50,
            bulk=_message_bulk,
        )
    ]
