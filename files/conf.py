"""The files plugin's settings, read from Django settings (``FILES_*``) or the environment.

Every limit an administrator sets lives here; ``docs/files.md`` lists them. Read through :func:`get`, so
tests can change them with ``override_settings``.
"""

import os

from django.conf import settings

MB = 1024 * 1024

# Types a browser could run or render with script: never served inline.
SCRIPTABLE_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "text/x-javascript",
    "application/ecmascript",
    "text/ecmascript",
    "application/x-shockwave-flash",
    "text/x-python",  # text that libmagic recognises as a script: served as a download
    "text/x-shellscript",
)

DEFAULTS = {
    "FILES_MAX_UPLOAD_BYTES": 2048 * MB,
    "FILES_SPACE_QUOTA_BYTES": 20 * 1024 * MB,
    "FILES_PERSON_QUOTA_BYTES": 10 * 1024 * MB,
    # Sniffed types; an empty allow list allows every type the refuse list does not refuse.
    "FILES_ALLOWED_TYPES": (),
    "FILES_REFUSED_TYPES": (
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/vnd.microsoft.portable-executable",
        "application/x-msi",
    ),
    "FILES_PDF_INLINE": False,  # PDF readers run script: served as a download unless this is True
    # "django" streams the bytes, "accel" hands them to nginx (X-Accel-Redirect), "s3" redirects to a
    # short-lived signed URL of the S3-compatible storage.
    "FILES_DOWNLOAD_MODE": "django",
    "FILES_ACCEL_PREFIX": "/protected-files/",
    "FILES_SIGNED_URL_SECONDS": 60,
    # Storage alias in STORAGES for the bytes; when missing, a private folder (never MEDIA_ROOT).
    "FILES_STORAGE": "files",
    "FILES_ROOT": "",
    "FILES_UPLOAD_TMP": "",
    # "none" marks every version clean (development); "clamd" asks ClamAV; or a dotted path to a class.
    "FILES_SCANNER": "none",
    "FILES_CLAMD_SOCKET": "",
    "FILES_CLAMD_HOST": "127.0.0.1",
    "FILES_CLAMD_PORT": 3310,
    "FILES_CLAMD_TIMEOUT": 60,
    "FILES_TRASH_DAYS": 30,
    "FILES_PREVIEW_MAX_PIXELS": 40_000_000,
    "FILES_PREVIEW_MAX_BYTES": 200 * MB,
    "FILES_ZIP_MAX_UNCOMPRESSED": 200 * MB,
    "FILES_ZIP_MAX_RATIO": 100,
    "FILES_TEXT_MAX_CHARS": 1_000_000,
    "FILES_TUS_CHUNK_BYTES": 8 * MB,
    "FILES_TUS_EXPIRE_HOURS": 24,
}

_INT = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
_BOOL = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}
_LIST = {k for k, v in DEFAULTS.items() if isinstance(v, tuple)}


def get(name):
    """A setting: Django settings first, then the environment variable of the same name, then the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None:
        return DEFAULTS[name]
    if name in _INT:
        return int(raw)
    if name in _BOOL:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if name in _LIST:
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    return raw
