"""What a message looks like on the wire, for everyone and for moderators."""

from .models import Message


def _author(message):
    author = message.author
    if author is None:
        return {"id": None, "name": "—"}
    return {"id": author.pk, "name": author.display_name}


def message_frame(message, *, reactions=None, for_moderator=False):
    """The ``message`` frame. Hidden and deleted messages keep their place but lose their text,
    except for moderators, who see the text of hidden and held messages with the reason (never of
    deleted ones)."""
    frame = {
        "type": "message",
        "room": message.room_id,
        "seq": message.seq,
        "id": message.pk,
        "author": _author(message),
        "client_id": message.client_id,
        "reply_to": message.reply_to.seq if message.reply_to_id and message.reply_to else None,
        "state": message.state,
        "pinned": message.pinned,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "reactions": reactions if reactions is not None else reaction_counts(message),
    }
    # A deleted message's text goes for everyone, moderators included.
    if message.state == Message.State.VISIBLE or (for_moderator and message.state != Message.State.DELETED):
        frame["body"] = message.body
    else:
        frame["body"] = None
    if message.state == Message.State.HIDDEN:
        frame["hidden_reason"] = message.hidden_reason
    return frame


def reaction_counts(message):
    counts = {}
    for reaction in message.reactions.all():
        counts[reaction.emoji] = counts.get(reaction.emoji, 0) + 1
    return counts
