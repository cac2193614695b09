"""Command-line verbs of the voting part (`deliberate tally`, later `deliberate verify`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .counting import (
    BUDGET_METHODS,
    CountingError,
    Result,
    UnknownMethodError,
    known_methods,
    resolve,
    tally,
)
from .counting.model import exact, to_plain
from .formats import FormatError, PBFile, PrefLibFile, read_any

EXIT_OK = 0
EXIT_USAGE = 2  # malformed file, unknown method, election that cannot be counted


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's commands to the `deliberate` command line."""
    p = subparsers.add_parser(
        "tally",
        help="count the ballots in a pabulib .pb or PrefLib .soc/.soi/.toc/.toi file",
        description=(
            "Count a standard ballot file. For .pb files the default method follows the "
            "file's `rule` (greedy, equalshares/add1, ...); PrefLib files default to irv."
        ),
    )
    p.add_argument("file", help="path to a .pb, .soc, .soi, .toc or .toi file")
    p.add_argument("--method", help=f"one of: {', '.join(known_methods())}")
    p.add_argument(
        "--budget-increment",
        metavar="N",
        help="MES add1 completion: raise each voter's budget by N per step (default 1)",
    )
    p.add_argument("--format", choices=("json", "text"), default="text", dest="output")
    p.set_defaults(func=handle_tally)

    v = subparsers.add_parser(
        "verify",
        help="check a bulletin of receipts (bulletin.json) and say where its hash chain breaks",
        description=(
            "Recompute every entry of a bulletin exported from a cycle's page: each entry's hash "
            "and its link to the previous entry. Exit code 0 when the chain holds, 1 when it "
            "breaks (the first broken entry is named), 2 when the file cannot be read."
        ),
    )
    v.add_argument("file", help="path to a bulletin.json file")
    v.add_argument("--receipt", help="also check that this receipt code is in the chain")
    v.set_defaults(func=handle_verify)


def _default_method(data: PBFile | PrefLibFile) -> str:
    if isinstance(data, PrefLibFile):
        return "irv"
    rule = (data.rule or "").strip().lower()
    try:
        resolve(rule)
    except UnknownMethodError:
        return "greedy"  # "unknown" or missing: pabulib's usual default
    return rule


def _params(base: str, data: PBFile | PrefLibFile, args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if args.budget_increment is not None:
        if base != "mes":
            raise CountingError("--budget-increment only applies to mes (equal shares)")
        try:
            params["increment"] = exact(args.budget_increment)
        except (ValueError, ZeroDivisionError):
            raise CountingError(
                f"--budget-increment: not a number: {args.budget_increment!r}"
            ) from None
    if isinstance(data, PBFile) and data.vote_type == "ordinal" and base in BUDGET_METHODS:
        max_length = data.meta.get("max_length")
        if max_length and max_length.isdigit():
            params["max_rank"] = int(max_length)
    return params


def handle_tally(args: argparse.Namespace) -> int:
    try:
        if args.method:
            resolve(args.method)  # an unknown method is reported before reading the file
        data = read_any(args.file)
        name = args.method or _default_method(data)
        base, _ = resolve(name)
        result = tally(name, data.election, **_params(base, data, args))
    except FileNotFoundError:
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    except (FormatError, UnknownMethodError, CountingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.output == "json":
        print(json.dumps(to_json(name, base, result), ensure_ascii=False, indent=2))
    else:
        print(to_text(name, result, data, Path(args.file).name))
    return EXIT_OK


def to_json(name: str, base: str, result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": name,
        "selected": list(result.selected),
        "ranking": list(result.ranking),
        "scores": to_plain(result.scores),
        "ties": [t.to_dict() for t in result.ties],
    }
    if base not in BUDGET_METHODS:
        out["winners"] = list(result.winners)
    else:
        out["total_cost"] = to_plain(result.total_cost)
    out["params"] = result.to_dict(rounds=False)["params"]
    if result.rounds and base == "irv":
        out["rounds"] = to_plain(result.rounds)
    if result.notes:
        out["notes"] = list(result.notes)
    return out


def _num(x: Any) -> str:
    x = to_plain(x)
    if isinstance(x, float):
        return f"{x:.4f}".rstrip("0").rstrip(".")
    return str(x)


def to_text(name: str, result: Result, data: PBFile | PrefLibFile, label: str) -> str:
    election = data.election
    lines = [f"{label}: {name} ({len(election.ballots)} ballots, {len(election.options)} options)"]
    if result.method in BUDGET_METHODS:
        lines.append(f"budget {_num(result.params['budget'])}, spent {_num(result.total_cost)}")
    else:
        names = [f"{w} {election.names.get(w, '')}".strip() for w in result.winners]
        lines.append("winner" + ("s (tied)" if len(names) > 1 else "") + ": " + "; ".join(names))
    selected = set(result.selected)
    has_costs = bool(election.costs)
    header = f"{'rank':>4}  {'id':<14} {'score':>12}"
    header += f" {'cost':>12}" if has_costs else ""
    header += "  sel  name"
    lines += ["", header, "-" * len(header)]
    for i, o in enumerate(result.ranking, start=1):
        row = f"{i:>4}  {o:<14} {_num(result.scores.get(o, 0)):>12}"
        if has_costs:
            row += f" {_num(election.costs.get(o, 0)):>12}"
        row += f"  {'*' if o in selected else ' ':^3}  {election.names.get(o, '')[:60]}"
        lines.append(row)
    if result.ties:
        lines += ["", "ties broken:"]
        for t in result.ties:
            lines.append(f"  {t.stage}: {', '.join(t.options)} -> {', '.join(t.order)} ({t.rule})")
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def handle_verify(args: argparse.Namespace) -> int:
    from .chain import receipt_hash, verify_chain

    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: {args.file} is not JSON: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(document, dict):
        print(f"error: {args.file} is not a bulletin", file=sys.stderr)
        return EXIT_USAGE
    verdict = verify_chain(document)
    if not verdict.ok:
        where = f"entry {verdict.broken_seq}" if verdict.broken_seq else "the file"
        print(f"BROKEN at {where}: {verdict.reason}")
        return 1
    print(f"OK: {verdict.entries} entries, the chain holds (cycle {document['cycle_id']})")
    if args.receipt:
        wanted = receipt_hash(args.receipt)
        found = [e for e in document["entries"] if e.get("receipt_hash") == wanted]
        if not found:
            print("receipt NOT FOUND in this bulletin")
            return 1
        print(f"receipt found: entry {found[0]['seq']}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the voting verbs on their own (tests, or `python -m deliberate.voting.cli`)."""
    parser = argparse.ArgumentParser(prog="deliberate")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
