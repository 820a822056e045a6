"""A minimal clamd client: the INSTREAM command over a UNIX or TCP socket.

Protocol (clamd(8)): send ``zINSTREAM\\0``, then chunks each prefixed with its length as a 4-byte big-endian
unsigned integer, then a zero-length chunk; clamd answers one NUL-terminated line: ``stream: OK``,
``stream: <signature> FOUND`` or ``... ERROR`` (e.g. ``INSTREAM size limit exceeded. ERROR``).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class ClamdUnavailable(Exception):
    """clamd could not be reached or answered something unreadable."""


@dataclass(frozen=True)
class ScanOutcome:
    clean: bool
    signature: str = ""
    raw: str = ""


def _connect(address: str, timeout: float) -> socket.socket:
    parts = urlsplit(address)
    try:
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parts.path)
            return sock
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    except OSError as exc:
        raise ClamdUnavailable(f"cannot connect to clamd at {address}: {exc}") from exc
    raise ClamdUnavailable(f"unsupported clamd address {address!r} (use unix:///path or tcp://host:port)")


def parse_reply(reply: str) -> ScanOutcome:
    text = reply.strip("\0\r\n ")
    body = text.split(":", 1)[1].strip() if ":" in text else text
    if body == "OK":
        return ScanOutcome(clean=True, raw=text)
    if body.endswith(" FOUND"):
        return ScanOutcome(clean=False, signature=body[: -len(" FOUND")].strip(), raw=text)
    raise ClamdUnavailable(f"clamd error: {text}")


def instream(data: bytes, *, address: str, timeout: float = 30.0) -> ScanOutcome:
    """Scan ``data`` with the clamd at ``address``; raise ``ClamdUnavailable`` when it cannot answer."""
    sock = _connect(address, timeout)
    try:
        with sock:
            sock.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(view), CHUNK):
                piece = view[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            received = bytearray()
            while not received.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                received += part
    except OSError as exc:
        raise ClamdUnavailable(f"clamd at {address} failed: {exc}") from exc
    return parse_reply(received.decode("utf-8", "replace"))


def ping(*, address: str, timeout: float = 5.0) -> bool:
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(64).strip(b"\0\n") == b"PONG"
    except (OSError, ClamdUnavailable):
        return False
