"""Reader and writer for pabulib ``.pb`` files (participatory budgeting instances).

A ``.pb`` file has three ``;``-separated sections, each starting with its name and a header
row: META (key;value), PROJECTS (project_id;cost;...) and VOTES (voter_id;vote;...).
``vote`` lists project ids separated by commas: approved projects, projects given points
(with a matching ``points`` column) or a ranking best first (``vote_type`` ordinal).
Two optional, non-standard VOTES columns are understood: ``weight`` and ``group``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ..counting.model import Ballot, Election, Number, exact, simplify
from .errors import FormatError

VOTE_TYPES = ("approval", "cumulative", "scoring", "ordinal")


@dataclass
class PBFile:
    """A parsed .pb file, keeping every column so nothing from the source is lost."""

    meta: dict[str, str] = field(default_factory=dict)
    projects: dict[str, dict[str, str]] = field(default_factory=dict)
    votes: dict[str, dict[str, str]] = field(default_factory=dict)
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)
    election: Election = field(default_factory=lambda: Election([], []))
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def rule(self) -> str | None:
        return self.meta.get("rule")

    def official_selection(self) -> list[str] | None:
        """Projects marked selected=1 in the file (in file order), or None if no such column."""
        if "selected" not in self.project_columns:
            return None
        return [p for p, row in self.projects.items() if row.get("selected", "").strip() == "1"]


def _number(text: str, what: str, line: int | None, path: str | None) -> Number:
    try:
        return exact(Fraction(text.strip().replace(",", ".")))
    except (ValueError, ZeroDivisionError):
        raise FormatError(f"{what} is not a number: {text!r}", line, path) from None


def read_pb(source: str | Path, *, text: str | None = None) -> PBFile:
    """Parse a .pb file (give a path, or a name plus ``text``). Raises FormatError."""
    path = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8 text ({exc.reason})", None, path) from None
    pb = PBFile()
    reader = csv.reader(io.StringIO(text), delimiter=";")
    section: str | None = None
    header: list[str] | None = None
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        first = row[0].strip()
        if (first.upper() in ("META", "PROJECTS", "VOTES") and len(row) == 1) or (
            first.upper() in ("META", "PROJECTS", "VOTES") and all(not c.strip() for c in row[1:])
        ):
            section = first.upper()
            if section in seen:
                raise FormatError(f"section {section} appears twice", line, path)
            seen.add(section)
            header = None
            continue
        if section is None:
            raise FormatError("expected a META, PROJECTS or VOTES section first", line, path)
        if header is None:
            header = [c.strip() for c in row]
            expected = {"META": "key", "PROJECTS": "project_id", "VOTES": "voter_id"}[section]
            if header[0] != expected:
                raise FormatError(
                    f"{section} header must start with {expected!r}, found {header[0]!r}",
                    line,
                    path,
                )
            if section == "PROJECTS":
                pb.project_columns = header
                if "cost" not in header:
                    raise FormatError("PROJECTS header has no 'cost' column", line, path)
            elif section == "VOTES":
                pb.vote_columns = header
                if "vote" not in header:
                    raise FormatError("VOTES header has no 'vote' column", line, path)
            continue
        if section == "META":
            if len(row) < 2:
                raise FormatError("META rows need a key and a value", line, path)
            pb.meta[first] = ";".join(row[1:]).strip()
            pb.meta_lines[first] = line
            continue
        if len(row) != len(header):
            raise FormatError(
                f"{len(row)} fields, the {section} header has {len(header)}", line, path
            )
        record = {k: v.strip() for k, v in zip(header, row, strict=True)}
        key = record[header[0]]
        target = pb.projects if section == "PROJECTS" else pb.votes
        if key in target:
            raise FormatError(f"duplicate id {key!r}", line, path)
        record["_line"] = str(line)
        target[key] = record
    for needed in ("META", "PROJECTS"):
        if needed not in seen:
            raise FormatError(f"missing {needed} section", None, path)
    pb.election = _to_election(pb, path)
    return pb


def _to_election(pb: PBFile, path: str | None) -> Election:
    vote_type = pb.vote_type
    if vote_type not in VOTE_TYPES:
        raise FormatError(f"unknown vote_type {vote_type!r}", None, path)
    costs: dict[str, Number] = {}
    names: dict[str, str] = {}
    for pid, row in pb.projects.items():
        line = int(row["_line"])
        costs[pid] = _number(row["cost"], f"cost of project {pid}", line, path)
        if costs[pid] < 0:
            raise FormatError(f"negative cost for project {pid}", line, path)
        if row.get("name"):
            names[pid] = row["name"]
    budget = None
    if "budget" in pb.meta:
        budget = _number(pb.meta["budget"], "budget", pb.meta_lines.get("budget"), path)
    ballots: list[Ballot] = []
    for vid, row in pb.votes.items():
        line = int(row["_line"])
        items = [x.strip() for x in row["vote"].split(",") if x.strip()]
        for pid in items:
            if pid not in pb.projects:
                raise FormatError(f"vote names unknown project {pid!r}", line, path)
        if len(set(items)) != len(items):
            raise FormatError("a project appears twice in the vote", line, path)
        weight: Number = 1
        if row.get("weight"):
            weight = _number(row["weight"], "weight", line, path)
        group = row.get("group") or None
        if vote_type == "approval":
            ballots.append(Ballot(vid, approvals=frozenset(items), weight=weight, group=group))
        elif vote_type == "ordinal":
            tiers = tuple((p,) for p in items)
            ballots.append(Ballot(vid, ranking=tiers, weight=weight, group=group))
        else:
            if "points" not in row:
                raise FormatError(f"{vote_type} votes need a 'points' column", line, path)
            raw = [x for x in row["points"].split(",") if x.strip()]
            if len(raw) != len(items):
                raise FormatError(
                    f"{len(items)} projects but {len(raw)} points in this vote", line, path
                )
            pts = {p: _number(x, "points", line, path) for p, x in zip(items, raw, strict=True)}
            ballots.append(Ballot(vid, points=pts, weight=weight, group=group))
    return Election(
        options=list(pb.projects),
        ballots=ballots,
        costs=costs,
        budget=budget,
        names=names,
        meta=dict(pb.meta),
    )


def _fmt(x: Number) -> str:
    x = simplify(exact(x))
    if isinstance(x, int):
        return str(x)
    # Fractions with a finite decimal expansion print as decimals, others as a/b.
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        from decimal import Decimal, localcontext

        with localcontext() as ctx:
            ctx.prec = 60
            return format(Decimal(x.numerator) / Decimal(x.denominator), "f").rstrip("0")
    return f"{x.numerator}/{x.denominator}"


def write_pb(election: Election, *, vote_type: str | None = None) -> str:
    """Serialise an election as .pb text (META from election.meta, then computed keys)."""
    kinds = {b.kind for b in election.ballots} - {"empty"}
    if vote_type is None:
        if kinds <= {"approval"}:
            vote_type = "approval"
        elif kinds == {"ranking"}:
            vote_type = "ordinal"
        else:
            vote_type = election.meta.get("vote_type", "cumulative")
            if vote_type not in ("cumulative", "scoring"):
                vote_type = "cumulative"
    if vote_type not in VOTE_TYPES:
        raise ValueError(f"unknown vote_type {vote_type!r}")
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.options))
    meta["num_votes"] = str(len(election.ballots))
    if election.budget is not None:
        meta["budget"] = _fmt(election.budget)
    meta["vote_type"] = vote_type
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    w.writerow(["PROJECTS"])
    w.writerow(["project_id", "cost", "name"])
    for o in election.options:
        w.writerow([o, _fmt(election.costs.get(o, 0)), election.names.get(o, "")])
    w.writerow(["VOTES"])
    weighted = any(b.weight != 1 for b in election.ballots)
    grouped = any(b.group is not None for b in election.ballots)
    cols = ["voter_id", "vote"]
    if vote_type in ("cumulative", "scoring"):
        cols.append("points")
    if weighted:
        cols.append("weight")
    if grouped:
        cols.append("group")
    w.writerow(cols)
    for b in election.ballots:
        row = [b.voter]
        if vote_type == "approval":
            row.append(",".join(sorted(b.approvals or (), key=election.options.index)))
        elif vote_type == "ordinal":
            tiers = b.ranking or ()
            if any(len(t) > 1 for t in tiers):
                raise ValueError(f"ballot {b.voter}: pabulib ordinal votes cannot hold ties")
            row.append(",".join(t[0] for t in tiers))
        else:
            pts = b.points or {}
            row.append(",".join(pts))
            row.append(",".join(_fmt(v) for v in pts.values()))
        if weighted:
            row.append(_fmt(b.weight))
        if grouped:
            row.append(b.group or "")
        w.writerow(row)
    return out.getvalue()
