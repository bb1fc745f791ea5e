"""Virus scanners. A scanner reads a version's bytes as a stream and says clean or infected.

``FILES_SCANNER`` picks one: ``"none"`` (every version clean: development only; a system check warns in
production), ``"clamd"`` (:class:`ClamdScanner`, ClamAV's daemon over its INSTREAM command), or the dotted
path of a class with a ``scan(fileobj) -> ScanResult`` method.
"""

import socket
import struct
from dataclasses import dataclass

from django.utils.module_loading import import_string

from . import conf


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """The scanner could not answer (down, timed out): the version stays in "scanning" and is retried."""


class NoScanner:
    name = "none"

    def scan(self, fileobj):
        return ScanResult(infected=False)


class ClamdScanner:
    """ClamAV's clamd over a Unix socket (``FILES_CLAMD_SOCKET``) or TCP (``FILES_CLAMD_HOST``/``_PORT``).

    INSTREAM sends the bytes in chunks, each prefixed with its length as a 4-byte big-endian number, and a
    zero-length chunk to end; clamd answers ``stream: OK`` or ``stream: <signature> FOUND``.
    """

    name = "clamd"
    CHUNK = 256 * 1024

    def __init__(self, socket_path=None, host=None, port=None, timeout=None):
        self.socket_path = socket_path if socket_path is not None else conf.get("FILES_CLAMD_SOCKET")
        self.host = host or conf.get("FILES_CLAMD_HOST")
        self.port = int(port or conf.get("FILES_CLAMD_PORT"))
        self.timeout = timeout or conf.get("FILES_CLAMD_TIMEOUT")

    def _connect(self):
        try:
            if self.socket_path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.socket_path)
            else:
                sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd is not reachable: {exc}") from exc
        return sock

    def _command(self, command, payload=None):
        sock = self._connect()
        try:
            sock.sendall(b"z" + command + b"\0")
            if payload is not None:
                while chunk := payload.read(self.CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except OSError as exc:
            raise ScannerUnavailable(f"clamd stopped answering: {exc}") from exc
        finally:
            sock.close()
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self):
        return self._command(b"PING") == "PONG"

    def scan(self, fileobj):
        reply = self._command(b"INSTREAM", fileobj)
        if reply.endswith("FOUND"):
            signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
            return ScanResult(infected=True, signature=signature[:200])
        if reply.endswith("OK"):
            return ScanResult(infected=False)
        # "INSTREAM size limit exceeded", "... ERROR": not a verdict; try again later.
        raise ScannerUnavailable(f"clamd could not scan: {reply}")


SCANNERS = {"none": NoScanner, "clamd": ClamdScanner}


def get_scanner():
    name = conf.get("FILES_SCANNER")
    klass = SCANNERS.get(name) or import_string(name)
    return klass()
