"""Talking to the national public-service portal: the client plugin kind and its HTTP client.

Protocol (INTEGRATIONS.md): ``POST {MOTCUA_DVCQG_URL}auth/`` with ``{"username", "password"}`` answers
``{"session": ..., "error_code": 0}``; each call is ``POST {MOTCUA_DVCQG_URL}api/`` with
``{"session", "service", "isUpdating", "data": [...]}`` and answers ``{"error_code": 0, ...}``. The outbox's
updates go several to a call (``send_records``): each record of ``data`` carries its own idempotency key in
the field ``RECORD_KEY`` and the portal answers per record (``results``, in data order); a one-record call
also carries its key in the ``Idempotency-Key`` header (docs/national-portal.md, "Batches and idempotency
keys": what must be agreed with the portal's operator). The sandbox portal (``/sandbox/dvcqg/``) is the same
client pointed at motcua's own sandbox URL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin

import requests
from django.conf import settings

from motcua.core.registry import Plugin, Registry, sandbox_on

# The portal's error codes motcua tells apart (anything else non-zero is a failure worth retrying).
ERROR_OK = 0
ERROR_INVALID = 1  # a malformed record: retrying the same data cannot help
ERROR_LOGIN = 2
ERROR_SESSION = 3  # the session expired: log in again
ERROR_NOT_PROCESSED = (
    5  # per record: not acted on (an earlier record of the same dossier in the call was refused)
)

# The field of each record that carries its idempotency key (a name to agree with the portal's operator).
RECORD_KEY = "IdempotencyKey"


class PortalError(Exception):
    """A call did not go through; retry it later."""


class PortalRejected(PortalError):
    """The portal refused the data itself (``error_code`` 1): parked for an operator, never retried alone."""

    def __init__(self, message: str, *, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class PortalNotProcessed(PortalError):
    """One record of a call the portal did not act on (an earlier record of its dossier was refused): send it
    again later, no attempt is counted."""


# One record's outcome in a call: ``None`` accepted (or discarded as a duplicate of one accepted before),
# ``PortalRejected`` refused, ``PortalNotProcessed`` not acted on, another ``PortalError`` failed (retry).
RecordOutcome = PortalError | None


class NationalPortalClient(Plugin):
    """Base of national-portal clients (one chosen by ``MOTCUA_DVCQG_CLIENT``)."""

    def login(self) -> str:
        """Open a session; return its token. Raises ``PortalError``."""
        raise NotImplementedError

    def call(
        self, service: str, data: list[dict[str, Any]], is_updating: bool, *, idempotency_key: str = ""
    ) -> dict[str, Any]:
        """Call ``service`` with ``data``; return the portal's answer (``error_code`` 0).

        Raises ``PortalRejected`` when the portal refuses the data, ``PortalError`` for anything else
        (network, timeout, a server error): the caller retries with the same idempotency key.
        """
        raise NotImplementedError

    def send_records(
        self, service: str, is_updating: bool, records: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[RecordOutcome]:
        """Send ``records`` (``(idempotency key, record)`` in order) of ``service``; one outcome per record.

        Raises ``PortalError`` when the call as a whole failed (nothing known of any record). This default
        makes one call per record (a portal that takes one record per call): after a record that did not go,
        the later records of the same dossier (``MaHoSo``) are not sent (``PortalNotProcessed``).
        """
        outcomes: list[RecordOutcome] = []
        stopped: set[str] = set()
        for index, (key, record) in enumerate(records):
            code = str(record.get("MaHoSo", ""))
            if code in stopped:
                outcomes.append(PortalNotProcessed(f"{service}: an earlier record of {code} did not go"))
                continue
            try:
                self.call(service, [record], is_updating, idempotency_key=key)
            except PortalError as exc:
                if index == 0 and not isinstance(exc, PortalRejected):
                    raise
                outcomes.append(exc)
                stopped.add(code)
                continue
            outcomes.append(None)
        return outcomes


national_portal_clients: Registry[NationalPortalClient] = Registry(
    "national portal client", setting="MOTCUA_DVCQG_CLIENT"
)


def sync_enabled() -> bool:
    """Whether the settings turn the sync on (a client is chosen). Settings only: no database, no network."""
    return bool(national_portal_clients.chosen_identifier())


def chosen_client() -> NationalPortalClient:
    client = national_portal_clients.chosen()
    if client is None:
        raise PortalError(
            f"no national portal client is enabled (MOTCUA_DVCQG_CLIENT={settings.MOTCUA_DVCQG_CLIENT!r})"
        )
    return client


@national_portal_clients.register("dvcqg")
class DvcqgClient(NationalPortalClient):
    """JSON over HTTP(S) with a session login; ``transport`` may be replaced (tests: in-process)."""

    label = "Cổng Dịch vụ công quốc gia"

    def __init__(self) -> None:
        self.transport: requests.Session | None = None
        self._session: str | None = None
        self._lock = threading.Lock()
        # One keep-alive HTTP session per thread (requests.Session is not shared across threads): a call
        # reuses the connection instead of opening one (bench/sync.py, docs/performance.md).
        self._local = threading.local()

    def check(self) -> list[str]:
        problems = []
        url = str(getattr(settings, "MOTCUA_DVCQG_URL", "") or "")
        if not url:
            problems.append("MOTCUA_DVCQG_URL is empty")
        elif not url.startswith("https://") and not sandbox_on():
            problems.append(f"MOTCUA_DVCQG_URL must be https outside the sandbox: {url!r}")
        if not getattr(settings, "MOTCUA_DVCQG_USERNAME", ""):
            problems.append("MOTCUA_DVCQG_USERNAME is empty")
        if not getattr(settings, "MOTCUA_DVCQG_PASSWORD", ""):
            problems.append("MOTCUA_DVCQG_PASSWORD is empty")
        return problems

    def _url(self, path: str) -> str:
        base = str(settings.MOTCUA_DVCQG_URL)
        return urljoin(base if base.endswith("/") else base + "/", path)

    def _post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        http = self.transport or self._http()
        try:
            response = http.post(
                self._url(path), json=body, headers=headers or {}, timeout=settings.MOTCUA_DVCQG_TIMEOUT
            )
        except requests.RequestException as exc:
            raise PortalError(f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            raise PortalError(f"HTTP {response.status_code}: not JSON: {response.text[:200]!r}") from None
        if not isinstance(answer, dict) or "error_code" not in answer:
            raise PortalError(f"HTTP {response.status_code}: unexpected answer {str(answer)[:200]!r}")
        return answer

    def _http(self) -> requests.Session:
        http: requests.Session | None = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = requests.Session()
        return http

    def login(self) -> str:
        answer = self._post(
            "auth/",
            {"username": settings.MOTCUA_DVCQG_USERNAME, "password": settings.MOTCUA_DVCQG_PASSWORD},
        )
        if answer.get("error_code") != ERROR_OK or not answer.get("session"):
            raise PortalError(f"login refused: {answer.get('error_code')}: {answer.get('message', '')}")
        token = str(answer["session"])
        with self._lock:
            self._session = token
        return token

    def _exchange(
        self, service: str, data: list[dict[str, Any]], is_updating: bool, headers: dict[str, str]
    ) -> dict[str, Any]:
        """One call, with a session (opened again once if the portal says it expired); the answer, any code."""
        for attempt in range(2):
            with self._lock:
                session = self._session
            if session is None or attempt:
                session = self.login()
            answer = self._post(
                "api/",
                {"session": session, "service": service, "isUpdating": is_updating, "data": data},
                headers,
            )
            if answer.get("error_code") == ERROR_SESSION and not attempt:
                continue  # expired: log in again once
            return answer
        raise PortalError(f"{service}: the session was refused twice")

    def call(
        self, service: str, data: list[dict[str, Any]], is_updating: bool, *, idempotency_key: str = ""
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        answer = self._exchange(service, data, is_updating, headers)
        code = answer.get("error_code")
        if code == ERROR_OK:
            return answer
        message = f"{service}: error_code {code}: {answer.get('message', '')}"
        if code == ERROR_INVALID:
            raise PortalRejected(message, errors=answer.get("errors"))
        raise PortalError(message)

    def send_records(
        self, service: str, is_updating: bool, records: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[RecordOutcome]:
        """All ``records`` in one call, each with its key in ``RECORD_KEY``; the portal's answer per record.

        The answer's ``results`` (one per record, in data order: ``{"error_code": 0}`` accepted,
        ``{"error_code": 0, "duplicate": true}`` discarded as already accepted, ``1`` refused with ``errors``,
        ``5`` not acted on). A portal that answers a whole call instead: ``0`` accepts every record; ``1`` with
        ``errors[].index`` refuses those records and acts on none of the others (they go again without them).
        """
        if not records:
            return []
        data = [{**record, RECORD_KEY: key} for key, record in records]
        headers = {"Idempotency-Key": records[0][0]} if len(records) == 1 and records[0][0] else {}
        answer = self._exchange(service, data, is_updating, headers)
        code = answer.get("error_code")
        message = f"{service}: error_code {code}: {answer.get('message', '')}"
        results = answer.get("results")
        if code in (ERROR_OK, ERROR_INVALID) and isinstance(results, list) and len(results) == len(records):
            return [_record_outcome(service, result) for result in results]
        if code == ERROR_OK:
            return [None] * len(records)
        if code == ERROR_INVALID:
            listed = answer.get("errors")
            errors: list[Any] = listed if isinstance(listed, list) else []
            refused: dict[int, list[Any]] = {}
            for error in errors:
                index = error.get("index") if isinstance(error, dict) else None
                if isinstance(index, int) and 0 <= index < len(records):
                    refused.setdefault(index, []).append(error)
            if len(records) == 1 or not refused:
                return [PortalRejected(message, errors=errors) for _ in records]
            return [
                PortalRejected(message, errors=refused[i])
                if i in refused
                else PortalNotProcessed(f"{service}: the call was refused for other records")
                for i in range(len(records))
            ]
        raise PortalError(message)


def _record_outcome(service: str, result: Any) -> RecordOutcome:
    if not isinstance(result, dict):
        return PortalError(f"{service}: unexpected record result {str(result)[:200]!r}")
    code = result.get("error_code")
    if code == ERROR_OK:
        return None
    message = f"{service}: error_code {code}: {result.get('message', '')}"
    if code == ERROR_INVALID:
        listed = result.get("errors")
        errors: list[Any] = listed if isinstance(listed, list) else []
        return PortalRejected(f"{message} {json.dumps(errors, ensure_ascii=False)[:1000]}", errors=errors)
    if code == ERROR_NOT_PROCESSED:
        return PortalNotProcessed(message)
    return PortalError(message)
