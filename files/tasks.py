"""Background work on versions: scan, previews, text; and emptying the trash (Celery beat).

Tasks take ids, load, call an action or store a result; each is idempotent (a second run finds the work
done and changes nothing) and retries with backoff when a dependency is away.
"""

from celery import shared_task
from django.db import transaction

from .models import File, FileVersion, ScanStatus, WorkStatus
from .scanning import ScannerUnavailable, get_scanner
from .storage import file_storage


@shared_task(
    autoretry_for=(ScannerUnavailable, OSError), retry_backoff=True, retry_backoff_max=600, max_retries=20
)
def scan_version_task(version_id):
    """Scan one version; clean ones then get their preview and text."""
    from .actions import do_record_scan

    version = FileVersion.objects.filter(pk=version_id).first()
    if version is None:
        return None
    if version.scan_status == ScanStatus.SCANNING:
        with file_storage().open(version.blob, "rb") as stream:
            result = get_scanner().scan(stream)
        version = do_record_scan(version_id=version_id, infected=result.infected, signature=result.signature)
    if version.scan_status == ScanStatus.CLEAN:
        process_version(version_id)
    return version.scan_status


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_version_task(version_id):
    """Make the preview and extract the text of a clean version (each once)."""
    return process_version(version_id)


def process_version(version_id):
    from .processing import extract_text, make_preview

    version = FileVersion.objects.filter(pk=version_id, scan_status=ScanStatus.CLEAN).first()
    if version is None:
        return None
    storage = file_storage()
    if version.preview_status == WorkStatus.PENDING:
        with storage.open(version.blob, "rb") as stream:
            preview = make_preview(stream, version.content_type, version.size)
        key = ""
        if preview.image:
            from django.core.files.base import ContentFile

            key = storage.save(f"p/{version.blob.rsplit('/', 1)[-1]}.png", ContentFile(preview.image))
        FileVersion.objects.filter(pk=version.pk, preview_status=WorkStatus.PENDING).update(
            preview_status=preview.status, preview_blob=key, preview_text=preview.text
        )
    if version.text_status == WorkStatus.PENDING:
        with storage.open(version.blob, "rb") as stream:
            status, text = extract_text(stream, version.content_type, version.size)
        text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        with transaction.atomic():
            FileVersion.objects.filter(pk=version.pk, text_status=WorkStatus.PENDING).update(
                text_status=status, text=text
            )
            if File.objects.filter(pk=version.file_id, current_id=version.pk).update(search_text=text):
                from .search import reindex_later

                reindex_later([version.file_id])
    return True


@shared_task
def empty_trash_task():
    """Delete for good what has been in the trash longer than FILES_TRASH_DAYS (scheduled daily)."""
    from .actions import do_empty_trash

    return do_empty_trash()


@shared_task
def expire_uploads_task():
    """Remove resumable uploads that were never finished (scheduled hourly)."""
    from .tus import expire_uploads

    return expire_uploads()
