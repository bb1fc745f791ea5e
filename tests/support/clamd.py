"""A private ClamAV daemon for tests: Debian's ``clamd`` on a Unix socket in a temporary folder, with a
signature database the test writes itself (the EICAR test file's SHA-256), since no ClamAV database can
be downloaded here. Started and stopped by the test that needs it; nothing shared is touched."""

import contextlib
import hashlib
import shutil
import subprocess
import time
from pathlib import Path

# The EICAR anti-virus test file, in two halves so that this source file itself is not flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-" + b"ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Doeplein.Test.EICAR"


def clamd_path():
    return shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)


@contextlib.contextmanager
def running_clamd(folder):
    folder = Path(folder)
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    (database / "doeplein-test.hsb").write_text(
        f"{hashlib.sha256(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n"
    )
    socket_path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\nLogFile {folder / 'clamd.log'}\n"
        f"TemporaryDirectory {folder}\nStreamMaxLength 100M\n"
    )
    process = subprocess.Popen(
        [clamd_path(), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        from files.scanning import ClamdScanner, ScannerUnavailable

        scanner = ClamdScanner(socket_path=str(socket_path), timeout=10)
        deadline = time.monotonic() + 60
        while True:
            try:
                if scanner.ping():
                    break
            except ScannerUnavailable:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (folder / "clamd.log").read_text(errors="replace")
                    if (folder / "clamd.log").exists()
                    else ""
                )
                raise RuntimeError(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.2)
        yield str(socket_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
