"""Demo files (Dutch and English) in every demo space: a few folders, a memo, a spreadsheet (CSV), a
Word document, a PDF, a generated PNG, and a second version of one file. Idempotent: a space that
already holds files is left alone. Runs after the workspaces, groups and blogs (order 50); it reads
spaces and memberships from the core only, and stores everything through the files actions."""

import io
import zlib

from django.db import transaction

STEPS = 1

MEMO_NL = (
    "Verslag overleg datadeling gemeenten\n"
    "====================================\n\n"
    "Aanwezig: de projectgroep en twee gasten van de provincie.\n\n"
    "1. We delen voortaan de kwartaalcijfers via deze werkruimte.\n"
    "2. Persoonsgegevens blijven bij de gemeente; we delen alleen tellingen.\n"
    "3. Volgende keer bespreken we de subsidieaanvraag.\n"
)
MEMO_NL_V2 = MEMO_NL + "\nAanvulling: de provincie levert de cijfers van 2025 voor 1 maart aan.\n"
NOTES_EN = (
    "Workshop notes: working with residents\n\n"
    "- Meet on site, not in the town hall.\n"
    "- Publish the notes of every meeting within a week.\n"
    "- Keep a small budget for experiments that residents propose.\n"
)
CSV_NL = (
    "gemeente,kwartaal,aanvragen,toegekend\n"
    "Utrecht,2025-Q1,128,97\n"
    "Amersfoort,2025-Q1,64,51\n"
    "Zeist,2025-Q1,31,22\n"
    "Utrecht,2025-Q2,141,110\n"
)
DOCX_PARAGRAPHS = [
    "Plan van aanpak pilot buurtbudget",
    "Doel: bewoners beslissen zelf over een klein budget voor hun buurt.",
    "Planning: start in het voorjaar, evaluatie na zes maanden.",
]
PDF_LINES = [
    "Annual report 2025",
    "Shared services for municipalities",
    "Summary: more cooperation, fewer forms.",
]


def _png():
    """A small chart-like image (Pillow, as Willow uses)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for n, (height, colour) in enumerate([(60, (21, 66, 115)), (120, (0, 137, 150)), (90, (230, 120, 0))]):
        draw.rectangle([40 + n * 90, 180 - height, 100 + n * 90, 180], fill=colour)
    draw.line([30, 180, 300, 180], fill=(0, 0, 0), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pdf(lines):
    """A one-page PDF with real text (Helvetica), written by hand: no PDF-writing package is needed."""
    text = "BT /F1 16 Tf 72 760 Td 22 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    )
    stream = zlib.compress((text + " ET").encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _docx(paragraphs):
    import docx

    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _blob(data, name):
    f = io.BytesIO(data)
    f.name = name
    return f


def _store(user, space, name, data, folder=None, file=None, note=""):
    from .actions import do_upload
    from .tasks import scan_version_task

    version = do_upload(
        user=user, space=space, fileobj=_blob(data, name), name=name, folder=folder, file=file, note=note
    )
    # What the worker would do after commit (the demo runs without one): scan, preview, text.
    transaction.on_commit(lambda: scan_version_task.run(version.pk))
    return version


def _fill(space, people):
    from .actions import do_create_folder

    first, second = people
    minutes = do_create_folder(user=first, space=space, name="Verslagen")
    figures = do_create_folder(user=first, space=space, name="Cijfers")
    archive = do_create_folder(user=first, space=space, name="2024", parent=minutes)
    memo = _store(first, space, "Verslag overleg datadeling.txt", MEMO_NL.encode(), folder=minutes)
    _store(
        second,
        space,
        memo.file.name,
        MEMO_NL_V2.encode(),
        file=memo.file,
        note="Aanvulling van de provincie toegevoegd",
    )
    _store(first, space, "Workshop notes - residents.txt", NOTES_EN.encode(), folder=archive)
    _store(second, space, "Aanvragen per kwartaal.csv", CSV_NL.encode(), folder=figures)
    _store(second, space, "Aanvragen per kwartaal (grafiek).png", _png(), folder=figures)
    _store(first, space, "Plan van aanpak buurtbudget.docx", _docx(DOCX_PARAGRAPHS))
    _store(first, space, "Annual report 2025.pdf", _pdf(PDF_LINES))


def files_demo_data(progress):
    from doeplein.spaces.models import Membership, Role, Space
    from doeplein.spaces.selectors import contributors

    from .models import File
    from .personal import PERSONAL_KIND, do_ensure_personal_space

    spaces = Space.objects.filter(is_archived=False).exclude(kind=PERSONAL_KIND).order_by("pk")
    for space in spaces:
        if File.objects.filter(space=space).exists():
            continue
        # Only people the gate lets add files here (a child space's members may lack the parent's wall).
        people = contributors(space, 2)
        if len(people) < 2:
            continue  # a shared space has two people at least (a personal blog or files space has one)
        with transaction.atomic():
            _fill(space, people)
    # A person's own files: a draft they keep to themselves.
    owner = (
        Membership.objects.filter(role=Role.OWNER, user__is_active=True)
        .exclude(space__kind=PERSONAL_KIND)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if owner is not None:
        with transaction.atomic():
            space = do_ensure_personal_space(user=owner.user)
            if not File.objects.filter(space=space).exists():
                _store(owner.user, space, "Concept - notitie voor het MT.txt", MEMO_NL.encode())
    progress(1)
