"""Reader and writer for PrefLib ordinal files: .soc, .soi, .toc, .toi.

Header lines start with ``#`` ("# ALTERNATIVE NAME 3: Jane Doe", "# NUMBER VOTERS: 12").
Each data line is ``count: ranking`` with alternatives (numbers) best first, separated by
commas, and ``{a,b}`` for alternatives ranked equal. s/t = strict/ties allowed,
oc/oi = complete/incomplete orders. Options become the ids "1", "2", ...; a line with
count n becomes one ballot of weight n (which counts exactly like n identical ballots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..counting.model import Ballot, Election, natural_key
from .errors import FormatError

KINDS = ("soc", "soi", "toc", "toi")
_HEADER = re.compile(r"^#\s*([^:]+?)\s*:\s?(.*)$")
_ALT = re.compile(r"^ALTERNATIVE NAME (\d+)$", re.IGNORECASE)


@dataclass
class PrefLibFile:
    kind: str
    headers: dict[str, str] = field(default_factory=dict)
    election: Election = field(default_factory=lambda: Election([], []))


def _parse_order(text: str, line: int, path: str) -> tuple[tuple[str, ...], ...]:
    tiers: list[tuple[str, ...]] = []
    i = 0
    s = text.replace(" ", "")
    while i < len(s):
        if s[i] == "{":
            j = s.find("}", i)
            if j < 0:
                raise FormatError("unclosed '{'", line, path)
            items = [x for x in s[i + 1 : j].split(",") if x]
            if not items:
                raise FormatError("empty '{}' tie group", line, path)
            tiers.append(tuple(items))
            i = j + 1
        else:
            j = s.find(",", i)
            j = len(s) if j < 0 else j
            item = s[i:j]
            if not item or "}" in item:
                raise FormatError(f"bad ranking near {s[i : j + 1]!r}", line, path)
            tiers.append((item,))
            i = j
        if i < len(s):
            if s[i] != ",":
                raise FormatError(f"expected ',' at {s[i:]!r}", line, path)
            i += 1
            if i == len(s):
                raise FormatError("ranking ends with ','", line, path)
    for tier in tiers:
        for item in tier:
            if not item.isdigit():
                raise FormatError(f"alternative {item!r} is not a number", line, path)
    return tuple(tiers)


def read_preflib(source: str | Path, *, text: str | None = None) -> PrefLibFile:
    """Parse a PrefLib file; the kind comes from the extension (or the DATA TYPE header)."""
    path = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8 text ({exc.reason})", None, path) from None
    kind = Path(path).suffix.lower().lstrip(".")
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    ballots: list[Ballot] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _HEADER.match(line)
            if m:
                key, value = m.group(1).strip(), m.group(2).strip()
                alt = _ALT.match(key)
                if alt:
                    names[alt.group(1)] = value
                else:
                    headers[key.upper()] = value
            continue
        count_text, sep, order_text = line.partition(":")
        if not sep:
            raise FormatError("expected 'count: ranking'", line_no, path)
        try:
            count = int(count_text.strip())
        except ValueError:
            raise FormatError(
                f"count {count_text.strip()!r} is not a whole number", line_no, path
            ) from None
        if count < 0:
            raise FormatError("negative count", line_no, path)
        tiers = _parse_order(order_text, line_no, path)
        ballots.append(Ballot(f"line{line_no}", ranking=tiers, weight=count))
        _check_line(kind or headers.get("DATA TYPE", ""), tiers, names, line_no, path)
    if kind not in KINDS:
        kind = headers.get("DATA TYPE", "").lower()
    if kind not in KINDS:
        raise FormatError(
            f"unknown PrefLib kind {kind!r} (expected .soc .soi .toc .toi)", None, path
        )
    if not names:
        n = int(headers.get("NUMBER ALTERNATIVES", "0") or 0)
        names = {str(i): str(i) for i in range(1, n + 1)}
    for b in ballots:
        unknown = b.mentioned() - set(names)
        if unknown:
            line_no = int(b.voter[4:])
            raise FormatError(
                f"unknown alternative(s) {sorted(unknown, key=natural_key)}", line_no, path
            )
    if kind in ("soc", "toc"):
        for b in ballots:
            if b.mentioned() != set(names):
                raise FormatError(f".{kind} requires complete rankings", int(b.voter[4:]), path)
    options = sorted(names, key=natural_key)
    election = Election(options=options, ballots=ballots, names=names, meta=dict(headers))
    return PrefLibFile(kind=kind, headers=headers, election=election)


def _check_line(
    kind: str, tiers: tuple[tuple[str, ...], ...], names: dict[str, str], line: int, path: str
) -> None:
    flat = [o for t in tiers for o in t]
    if len(flat) != len(set(flat)):
        raise FormatError("an alternative is ranked twice", line, path)
    if kind.lower() in ("soc", "soi") and any(len(t) > 1 for t in tiers):
        raise FormatError(f".{kind} files cannot contain ties", line, path)


def write_preflib(election: Election, kind: str | None = None, title: str = "") -> str:
    """Serialise ranked ballots; identical rankings are merged into one counted line.

    Options are written as 1..m in ``election.options`` order. Weights must be whole.
    """
    index = {o: str(i) for i, o in enumerate(election.options, start=1)}
    counts: dict[tuple[tuple[str, ...], ...], int] = {}
    for b in election.ballots:
        if b.kind not in ("ranking", "empty"):
            raise ValueError(f"ballot {b.voter} is not a ranking")
        if int(b.weight) != b.weight:
            raise ValueError(f"ballot {b.voter}: PrefLib counts must be whole numbers")
        key = tuple(tuple(sorted((index[o] for o in t), key=int)) for t in b.ranking or ())
        counts[key] = counts.get(key, 0) + int(b.weight)
    has_ties = any(len(t) > 1 for k in counts for t in k)
    complete = all(sum(len(t) for t in k) == len(index) for k in counts)
    if kind is None:
        kind = ("t" if has_ties else "s") + ("oc" if complete else "oi")
    if kind not in KINDS:
        raise ValueError(f"unknown PrefLib kind {kind!r}")
    if kind.startswith("s") and has_ties:
        raise ValueError(f".{kind} cannot hold ties")
    if kind.endswith("oc") and not complete:
        raise ValueError(f".{kind} needs complete rankings")
    lines = [
        f"# FILE NAME: election.{kind}",
        f"# TITLE: {title}",
        f"# DATA TYPE: {kind}",
        f"# NUMBER ALTERNATIVES: {len(index)}",
        f"# NUMBER VOTERS: {sum(counts.values())}",
        f"# NUMBER UNIQUE ORDERS: {len(counts)}",
    ]
    for o, i in index.items():
        lines.append(f"# ALTERNATIVE NAME {i}: {election.names.get(o, o)}")
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        parts = [t[0] if len(t) == 1 else "{" + ",".join(t) + "}" for t in key]
        lines.append(f"{n}: {','.join(parts)}")
    return "\n".join(lines) + "\n"
