"""What the files plugin gives the site search (``doeplein_search_sources``).

One function, :func:`search_source`, returns the :class:`~doeplein.plugins.SearchSource`: a queryset of
live files whose current version passed the virus scan. Each row carries

* ``name`` — the title to index and show,
* ``search_text`` — the text extracted from the current version (PDF, Word, OpenDocument, plain text;
  empty while pending or when the file is broken, encrypted or of another type),
* ``space_id`` — the space that guards it: the search asks ``doeplein.access.visible(user, queryset)``,
* ``updated_at`` and ``get_absolute_url()``.

:func:`search_document` turns one row into that plain dict for indexers that want one.
"""

from django.utils.translation import gettext_lazy as _

from doeplein.plugins import SearchBulk, SearchDoc, SearchSource

from .models import File, FileVersion, ScanStatus

SOURCE_KEY = "files"


def searchable_files():
    return File.objects.alive().filter(current__scan_status=ScanStatus.CLEAN).select_related("current")


def search_document(file):
    return {
        "title": file.name,
        "body": file.search_text,
        "url": file.get_absolute_url(),
        "space_id": file.space_id,
        "updated_at": file.updated_at,
        "content_type": file.content_type,
    }


def search_documents(file):
    """The search's document for one file: found by whoever may view its space (docs/search.md)."""
    return [
        SearchDoc(
            object_id=file.pk,
            title=file.name,
            body=file.search_text or "",
            url=file.get_absolute_url(),
            space_id=file.space_id,
            guard="view",
            person_id=getattr(file.current, "uploaded_by_id", None) if file.current_id else None,
            date=file.updated_at,
        )
    ]


def search_bulk():
    """The same documents as :func:`search_documents`, as SQL (a rebuild of the whole platform)."""
    from django.db.models import F

    from doeplein.search.bulk import url

    return SearchBulk(
        queryset=File.objects.alive().filter(current__scan_status=ScanStatus.CLEAN),
        fields={
            "object_id": F("pk"),
            "title": F("name"),
            "body": F("search_text"),
            "url": url("files:file", file_id=F("pk")),
            "space_id": F("space_id"),
            "person_id": F("current__uploaded_by_id"),
            "date": F("updated_at"),
        },
    )


def reindex_later(file_ids):
    """Bring these files' search documents up to date after the current transaction commits (the core
    search's debounced Celery path). For writes that bypass ``save()`` (bulk updates: the trash, a
    folder's contents, the extracted text); a save of a File or a FileVersion triggers it by itself."""
    from doeplein.search.indexing import queue

    ids = [pk for pk in file_ids if pk is not None]
    if ids:
        queue(SOURCE_KEY, ids)


def search_source():
    return SearchSource(
        key=SOURCE_KEY,
        label=_("Files"),
        queryset=searchable_files,
        documents=search_documents,
        bulk=search_bulk,
        # A file's save (renamed, moved, restored, a new current version) and a version's save (its scan
        # cleared, a new version) re-index the file; a purged file leaves the index.
        triggers=((File, lambda f: [f.pk]), (FileVersion, lambda v: [v.file_id])),
    )
