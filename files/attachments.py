"""Files as attachments for other plugins (blogs …), offered through the core's
``doeplein_attachment_sources`` hook so that no plugin imports this one.

A post stores the key (``"files:<file id>"``); whenever it is shown, ``doeplein.plugins.attachment(user,
key)`` asks this source again, so a reader sees an attachment only while the gate lets them see the file.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doeplein.access import visible
from doeplein.plugins import Attachment, AttachmentSource

from .models import File

KEY = "files"


def _attachment(file):
    return Attachment(
        key=f"{KEY}:{file.pk}",
        name=file.name,
        url=file.get_absolute_url(),
        download_url=reverse("files:download_current", kwargs={"file_id": file.pk}),
        size=file.size,
        content_type=file.content_type,
        space_id=file.space_id,
    )


def choices(user, space, limit=200):
    files = visible(user, File.objects.alive().filter(space=space)).order_by("-updated_at", "-pk")[:limit]
    return [_attachment(f) for f in files]


def get(user, key):
    prefix, _sep, raw = str(key).partition(":")
    if prefix != KEY or not raw.isdigit() or len(raw) > 18:
        return None
    file = visible(user, File.objects.alive().filter(pk=int(raw))).first()
    return _attachment(file) if file is not None else None


def upload_url(space):
    return reverse("files:space", kwargs={"space_id": space.pk})


def attachment_source():
    return AttachmentSource(key=KEY, label=_("Files"), choices=choices, get=get, upload_url=upload_url)
