"""Previews and text extraction. Each function takes an open binary file and returns a verdict; none
raises on a broken, encrypted or hostile file (the caller stores the status it returns)."""

import csv
import io
import zipfile
from dataclasses import dataclass

from . import conf
from .models import WorkStatus

THUMB_SIZE = 480
TEXT_PREVIEW_CHARS = 4000
CSV_PREVIEW_ROWS = 20

ZIP_TYPES = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODF_PREFIX = "application/vnd.oasis.opendocument."
IMAGE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/heic",
    "image/avif",
}


@dataclass
class Preview:
    status: str
    image: bytes = b""  # a PNG thumbnail
    text: str = ""


def is_zip_bomb(fileobj):
    """A zip whose unpacked size or compression ratio is beyond the limits (or that cannot be read)."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return True
    finally:
        fileobj.seek(0)
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    return (
        total > conf.get("FILES_ZIP_MAX_UNCOMPRESSED")
        or total / packed > conf.get("FILES_ZIP_MAX_RATIO")
        or len(infos) > 10_000
    )


def _png(image):
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def make_preview(fileobj, content_type, size):
    if size > conf.get("FILES_PREVIEW_MAX_BYTES"):
        return Preview(WorkStatus.REFUSED)
    if content_type in ZIP_TYPES:
        # No preview of archives or office files yet; a bomb is named as such, never unpacked.
        return Preview(WorkStatus.REFUSED if is_zip_bomb(fileobj) else WorkStatus.NONE)
    try:
        if content_type in IMAGE_TYPES:
            return _image_preview(fileobj)
        if content_type == "application/pdf":
            return _pdf_preview(fileobj)
        if content_type == "text/csv" or content_type.startswith("text/"):
            return _text_preview(fileobj, content_type)
    except Exception:  # a broken file is marked, never a crash  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
        return Preview(WorkStatus.BROKEN)
    return Preview(WorkStatus.NONE)


def _image_preview(fileobj):
    from PIL import Image

    with Image.open(fileobj) as image:
        width, height = image.size
        if width * height > conf.get("FILES_PREVIEW_MAX_PIXELS"):
            return Preview(WorkStatus.REFUSED)  # a decompression bomb, or just too big to thumbnail
        image.draft("RGB", (THUMB_SIZE, THUMB_SIZE))  # JPEG decodes at a fraction of its size
        image.thumbnail((THUMB_SIZE, THUMB_SIZE))
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        return Preview(WorkStatus.READY, image=_png(image))


def _pdf_preview(fileobj):
    import pypdfium2 as pdfium

    data = fileobj.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return Preview(WorkStatus.ENCRYPTED if "password" in str(exc).lower() else WorkStatus.BROKEN)
    try:
        if len(pdf) == 0:
            return Preview(WorkStatus.BROKEN)
        page = pdf[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0 or width * height > 10_000_000:
            return Preview(WorkStatus.REFUSED)
        scale = THUMB_SIZE / max(width, height)
        image = page.render(scale=scale).to_pil()
        return Preview(WorkStatus.READY, image=_png(image))
    finally:
        pdf.close()


def _decode(raw):
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _text_preview(fileobj, content_type):
    raw = fileobj.read(TEXT_PREVIEW_CHARS * 4)
    text = _decode(raw)[:TEXT_PREVIEW_CHARS]
    if content_type == "text/csv" or _looks_like_csv(text):
        rows = list(csv.reader(io.StringIO(text)))[:CSV_PREVIEW_ROWS]
        text = "\n".join("\t".join(cell[:80] for cell in row[:20]) for row in rows)
    return Preview(WorkStatus.READY, text=text)


def _looks_like_csv(text):
    lines = text.splitlines()[:5]
    return len(lines) >= 2 and all(line.count(",") == lines[0].count(",") > 0 for line in lines)


# --- text extraction -------------------------------------------------------------------------------------


def extract_text(fileobj, content_type, size):
    """``(status, text)`` for the search: PDF (pypdf), Word (python-docx), OpenDocument (odfpy), text."""
    limit = conf.get("FILES_TEXT_MAX_CHARS")
    if size > conf.get("FILES_PREVIEW_MAX_BYTES"):
        return WorkStatus.REFUSED, ""
    try:
        if content_type == "application/pdf":
            return _pdf_text(fileobj, limit)
        if content_type == DOCX or content_type.startswith(ODF_PREFIX):
            if is_zip_bomb(fileobj):
                return WorkStatus.REFUSED, ""
            if content_type == DOCX:
                return _docx_text(fileobj, limit)
            return _odf_text(fileobj, limit)
        if content_type.startswith("text/") and content_type not in ("text/html", "text/xml"):
            return WorkStatus.READY, _decode(fileobj.read(limit * 4))[:limit]
    except Exception:  # broken files are marked, never a crash  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
        return WorkStatus.BROKEN, ""
    return WorkStatus.NONE, ""


def _pdf_text(fileobj, limit):
    from pypdf import PdfReader

    reader = PdfReader(fileobj)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                return WorkStatus.ENCRYPTED, ""
        except Exception:  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
            return WorkStatus.ENCRYPTED, ""
    parts, total = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
        if total >= limit:
            break
    return WorkStatus.READY, "\n".join(parts)[:limit]


def _docx_text(fileobj, limit):
    import docx

    document = docx.Document(fileobj)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return WorkStatus.READY, "\n".join(parts)[:limit]


def _odf_text(fileobj, limit):
    from odf import teletype, text
    from odf.opendocument import load

    document = load(fileobj)
    parts = [teletype.extractText(p) for p in document.getElementsByType(text.P)]
    return WorkStatus.READY, "\n".join(parts)[:limit]
