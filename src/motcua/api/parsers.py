"""The API's JSON parser: bounded in size and depth.

DRF's parser reads a JSON body of any size and lets Python's recursion limit decide how deep it may nest,
so ``[[[[...]]]]`` a few thousand levels deep ended in a RecursionError and a 500 (issue 17). No API input
nests deeper than a few levels: anything beyond ``MAX_DEPTH`` is a 400 ``malformed_request``, a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` a 413. A NUL character in a string or key is a 400 ``malformed_request`` too,
as everywhere else in a request (it reached serializers as one field's "invalid", found by ``make fuzz``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        if stream is None:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE")
        try:
            encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
            text = raw.decode(encoding)
            constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=constant)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if "\\u0000" in text and _has_nul(
            data
        ):  # as in a path, a query or a form (core RequestGuardMiddleware)
            raise ParseError("NUL character in the JSON body.")
        return data


def _has_nul(data: Any) -> bool:
    """A NUL character in any string or key of ``data`` (``\\u0000`` decoded), iteratively."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` deep (iterative: no recursion of its own)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
