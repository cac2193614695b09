"""The error every reader raises for a malformed file."""

from __future__ import annotations


class FormatError(ValueError):
    """A file does not follow its format; ``line`` is 1-based (None if not line-specific)."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None):
        self.message = message
        self.line = line
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "input"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"
