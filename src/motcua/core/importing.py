"""The importer toolkit: every file import (catalog, units, calendar, legacy dossiers) fails in one shape.

An importer validates the whole file first and collects an :class:`ImportProblem` per bad cell, row or file
(where: ``sheet``, ``row``, ``field``; what: ``reason``; the line as the importer words it: ``message``),
then raises its subclass of :class:`ImportFailed` listing them all; nothing is imported. Every
``ImportFailed`` carries the same ``details``::

    {"errors": [{"sheet": "", "row": 3, "field": "date", "reason": "...", "message": "dòng 3, cột date: ..."}]}

(``row`` 0 and ``field`` "" for the file as a whole). Commands print one ``message`` per line on standard
error and exit with code 2 (:func:`command_error`); a form shows ``message`` lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from motcua.core.errors import ValidationFailed

if TYPE_CHECKING:
    from django.core.management.base import CommandError, OutputWrapper


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an imported file; ``message`` is the line shown to the user."""

    row: int
    field: str
    reason: str
    sheet: str = ""
    message: str = ""

    def __str__(self) -> str:
        if self.message:
            return self.message
        where = f"{self.sheet}, " if self.sheet else ""
        if self.row <= 0:
            return (
                f"{where}tệp: {self.reason}"
                if not self.field
                else f"{where}tệp, cột {self.field}: {self.reason}"
            )
        column = f", cột {self.field}" if self.field else ""
        return f"{where}dòng {self.row}{column}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "message": str(self),
        }


class ImportFailed(ValidationFailed):
    """The file has problems (``problems``, all of them); nothing was imported."""

    code = "import_failed"

    def __init__(self, message: str, problems: Iterable[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__(message, details={"errors": [p.as_dict() for p in self.problems]})

    def lines(self) -> list[str]:
        """One line per problem, as commands print them."""
        return [str(p) for p in self.problems]


def command_error(exc: ImportFailed, stderr: OutputWrapper) -> CommandError:
    """Print every problem of ``exc`` on ``stderr``; the ``CommandError`` to raise: its Vietnamese summary
    ("Tệp ... có N lỗi; không ... nhập") and exit code 2."""
    from django.core.management.base import CommandError

    for line in exc.lines():
        stderr.write(line)
    return CommandError(exc.message, returncode=2)
