"""Readers and writers for standard ballot files: pabulib .pb and PrefLib .soc/.soi/.toc/.toi."""

from pathlib import Path

from .errors import FormatError
from .pabulib import PBFile, read_pb, write_pb
from .preflib import PrefLibFile, read_preflib, write_preflib

PREFLIB_SUFFIXES = (".soc", ".soi", ".toc", ".toi")


def read_any(path: str | Path) -> PBFile | PrefLibFile:
    """Read a .pb or PrefLib file, choosing the reader by extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pb":
        return read_pb(path)
    if suffix in PREFLIB_SUFFIXES:
        return read_preflib(path)
    raise FormatError(
        f"unknown file type {suffix!r} (expected .pb, .soc, .soi, .toc or .toi)", None, str(path)
    )


__all__ = [
    "PREFLIB_SUFFIXES",
    "FormatError",
    "PBFile",
    "PrefLibFile",
    "read_any",
    "read_pb",
    "read_preflib",
    "write_pb",
    "write_preflib",
]
