"""Benchmark: the files plugin at scale, and the server's memory while a 1 GB file goes up and down.

Builds (once, idempotently) ``--files`` files in ``--spaces`` spaces (target: 700,000 files in 5,000
spaces, ten times Pleio; pass smaller numbers for a quick run), every file with one version, and one
space with a folder of ``--folder-size`` (1,000) files. Logged in as a member of that space, it measures
with Django's test client the median time of

* the folder page            /files/folder/<id>/      (a folder of 1,000 files; pages of 50)
* the space's files section  (the block on the space's home page, rendered alone)
* the space's files page     /files/space/<id>/

as ratios to a one-query baseline view in the same run (see bench/bench_spaces.py), and their query
counts for a folder of 10 files and one of ``--folder-size`` files (they must be equal: flat).

With ``--big-mb`` (default 1024) it then starts a real uvicorn server, uploads a file of that size
through the resumable tus endpoint (8 MiB chunks) and downloads it, and reports the server's peak
resident memory (VmHWM) growth over its warmed-up size, and the download's throughput as a ratio to
``cat`` of the same file on the same disk. ``--big-mb 0`` skips it.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE doeplein_bench_files"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench_files .venv/bin/python bench/bench_files.py \
        --spaces 500 --files 50000
"""

import argparse
import base64
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
os.environ.setdefault("DEBUG", "1")
STORE = Path(os.environ.get("FILES_ROOT") or Path(tempfile.gettempdir()) / "doeplein-bench-files")
os.environ["FILES_ROOT"] = str(STORE)
os.environ.setdefault("FILES_SCANNER", "none")
KIND = "benchfiles"
BLOB = "v/00/bench-blob"


def median_ms(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def build(spaces, files, folder_size):
    from django.db import connection
    from tqdm import tqdm

    from doeplein.accounts.models import User
    from doeplein.spaces.models import Membership, Role, Space
    from files.models import File, FileVersion, Folder

    (STORE / "v" / "00").mkdir(parents=True, exist_ok=True)
    (STORE / BLOB).write_bytes(b"bench\n")
    user, _ = User.objects.get_or_create(email="member@files.bench.example", defaults={"first_name": "Bench"})
    have = Space.objects.filter(kind=KIND).count()
    if have < spaces:
        Space.objects.bulk_create(
            [Space(kind=KIND, name=f"Bench space {i}", visibility="members") for i in range(have, spaces)]
        )
    space_ids = list(Space.objects.filter(kind=KIND).order_by("pk").values_list("pk", flat=True)[:spaces])
    target = Space.objects.get(pk=space_ids[0])
    Membership.objects.get_or_create(space=target, user=user, defaults={"role": Role.MEMBER})
    big, _ = Folder.objects.get_or_create(
        space=target, parent=None, name="Big folder", defaults={"created_by": user}
    )
    small, _ = Folder.objects.get_or_create(
        space=target, parent=None, name="Small folder", defaults={"created_by": user}
    )

    def add(space_id, folder_id, count, prefix):
        rows = File.objects.bulk_create(
            [
                File(
                    space_id=space_id,
                    folder_id=folder_id,
                    name=f"{prefix}-{i:06d}.txt",
                    created_by=user,
                    size=6,
                    content_type="text/plain",
                    version_count=1,
                )
                for i in range(count)
            ]
        )
        FileVersion.objects.bulk_create(
            [
                FileVersion(
                    file=f,
                    number=1,
                    blob=BLOB,
                    size=6,
                    sha256="0" * 64,
                    content_type="text/plain",
                    original_name=f.name,
                    uploaded_by=user,
                    scan_status="clean",
                )
                for f in rows
            ]
        )

    if not File.objects.filter(folder=big).exists():
        add(target.pk, big.pk, folder_size, "big")
        add(target.pk, small.pk, 10, "small")
    existing = File.objects.count()
    if files > existing:
        # Spread what is missing over the other spaces, the remainder one each over the first ones,
        # so that the platform holds exactly ``files`` files (a second run tops up what is missing).
        others = space_ids[1:] or space_ids
        per_space, extra = divmod(files - existing, len(others))
        for n, space_id in enumerate(tqdm(others, desc="spaces")):
            count = per_space + (1 if n < extra else 0)
            if count:
                add(space_id, None, count, f"f{existing}")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE files_file f SET current_id = v.id FROM files_fileversion v WHERE v.file_id = f.id AND f.current_id IS NULL"
        )
        cursor.execute("ANALYZE files_file; ANALYZE files_fileversion")
    return user, target, big, small


def urlconf():
    from django.http import HttpResponse
    from django.urls import path

    import doeplein.urls
    from doeplein.accounts.models import User
    from doeplein.spaces.models import Space
    from files.wagtail_hooks import render_files

    def baseline(request):
        return HttpResponse(str(list(User.objects.filter(pk=request.user.pk).values("pk"))))

    def section(request, space_id):
        return HttpResponse(render_files(request, Space.objects.get(pk=space_id)))

    module = types.ModuleType("bench_files_urls")
    module.urlpatterns = [
        path("__bench__/baseline/", baseline),
        path("__bench__/section/<int:space_id>/", section),
        *doeplein.urls.urlpatterns,
    ]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(doeplein.urls, handler))
    sys.modules[module.__name__] = module
    return module.__name__


def pages(args, user, target, big, small):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

    setup_test_environment()
    with override_settings(ROOT_URLCONF=urlconf(), ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        baseline = None
        for label, url in [
            ("baseline one-query view", "/__bench__/baseline/"),
            (f"folder of {args.folder_size} files", f"/files/folder/{big.pk}/"),
            ("space files section", f"/__bench__/section/{target.pk}/"),
            ("space files page", f"/files/space/{target.pk}/"),
        ]:
            assert client.get(url).status_code == 200, url
            ms = median_ms(lambda url=url: client.get(url), args.repeat)
            baseline = baseline or ms
            print(f"{label:<28} {url:<34} {ms:8.2f} ms  (ratio {ms / baseline:5.2f})")
        for label, folder in (("folder of 10 files", small), (f"folder of {args.folder_size} files", big)):
            with CaptureQueriesContext(connection) as queries:
                client.get(f"/files/folder/{folder.pk}/")
            print(f"queries, {label:<22} {len(queries)}")


def big_file(args, user, target):
    from django.conf import settings
    from django.db import connection

    from doeplein.accounts.actions import do_create_api_token
    from tests.support.asgi_server import read_vm_hwm_kib, run_servers, server_env

    size = args.big_mb * 1024 * 1024
    work = Path(tempfile.mkdtemp(prefix="bench-files-big-", dir=args.tmp))
    source = work / "big.bin"
    with open(source, "wb") as out:
        block = os.urandom(1024 * 1024)
        for _ in range(args.big_mb):
            out.write(block)
    _token, token = do_create_api_token(user=user, name="bench")
    params = connection.settings_dict
    database_url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    env = server_env(
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        extra={
            "FILES_ROOT": str(work / "store"),
            "FILES_UPLOAD_TMP": str(work / "tmp"),
            "FILES_SCANNER": "none",
            "DEBUG": "1",
            "FILES_MAX_UPLOAD_BYTES": str(size * 2),
            "FILES_SPACE_QUOTA_BYTES": str(size * 4),
            "FILES_PERSON_QUOTA_BYTES": str(size * 4),
        },
    )
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    try:
        with run_servers(["files"], env=env, log_dir=work) as (server,):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.request("GET", f"/files/space/{target.pk}/", headers=auth)
            conn.getresponse().read()
            rss_before = read_vm_hwm_kib(server.process.pid)
            meta = f"filename {base64.b64encode(f'big-{time.time_ns()}.bin'.encode()).decode()},space {base64.b64encode(str(target.pk).encode()).decode()}"
            conn.request(
                "POST", "/files/tus/", headers={**auth, "Upload-Length": str(size), "Upload-Metadata": meta}
            )
            created = conn.getresponse()
            created.read()
            assert created.status == 201, created.status
            location = created.getheader("Location")
            chunk = 8 * 1024 * 1024
            started = time.perf_counter()
            with open(source, "rb") as fh:
                offset = 0
                while offset < size:
                    data = fh.read(chunk)
                    conn.request(
                        "PATCH",
                        location,
                        body=data,
                        headers={
                            **auth,
                            "Upload-Offset": str(offset),
                            "Content-Type": "application/offset+octet-stream",
                        },
                    )
                    answer = conn.getresponse()
                    answer.read()
                    assert answer.status == 204, (answer.status, server.log()[-2000:])
                    offset = int(answer.getheader("Upload-Offset"))
                file_url = answer.getheader("Doeplein-File")
            upload_s = time.perf_counter() - started
            rss_upload = read_vm_hwm_kib(server.process.pid)
            file_id = file_url.strip("/").split("/")[-1]
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/files/files/{file_id}/download", headers=auth)
            answer = conn.getresponse()
            assert answer.status == 200, answer.status
            received = 0
            while part := answer.read(1024 * 1024):
                received += len(part)
            download_s = time.perf_counter() - started
            assert received == size, received
            rss_after = read_vm_hwm_kib(server.process.pid)
    finally:
        os.environ.pop("_BENCH", None)
    stored = [p for p in (work / "store" / "v").rglob("*") if p.is_file()][0]
    started = time.perf_counter()
    subprocess.run(f"cat '{stored}' > /dev/null", shell=True, check=True)
    cat_s = time.perf_counter() - started
    mb = size / 1024 / 1024
    print(
        f"1 file of {args.big_mb} MiB: upload {upload_s:.1f} s ({mb / upload_s:.0f} MiB/s), "
        f"download {download_s:.1f} s ({mb / download_s:.0f} MiB/s), cat {cat_s:.2f} s ({mb / cat_s:.0f} MiB/s)"
    )
    print(f"download throughput / cat throughput: {cat_s / download_s:.2f}")
    print(
        f"server peak RSS: warmed {rss_before / 1024:.0f} MiB, after upload {rss_upload / 1024:.0f} MiB "
        f"(+{(rss_upload - rss_before) / 1024:.1f} MiB), after download {rss_after / 1024:.0f} MiB "
        f"(+{(rss_after - rss_before) / 1024:.1f} MiB in all)"
    )
    subprocess.run(["rm", "-rf", str(work)], check=False)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spaces", type=int, default=5_000)
    parser.add_argument("--files", type=int, default=700_000)
    parser.add_argument("--folder-size", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--big-mb", type=int, default=1024)
    parser.add_argument("--skip-pages", action="store_true", help="only the big file")
    parser.add_argument(
        "--tmp", default=None, help="where the big file is written (default: the system's temp folder)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from files.models import File

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    user, target, big, small = build(args.spaces, args.files, args.folder_size)
    print(
        f"build: {time.perf_counter() - started:.0f} s; {File.objects.count()} files in "
        f"{File.objects.values('space').distinct().count()} spaces"
    )
    if not args.skip_pages:
        pages(args, user, target, big, small)
    if args.big_mb:
        big_file(args, user, target)


if __name__ == "__main__":
    main()
