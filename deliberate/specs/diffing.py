"""Differences between wordings, word by word (difflib), as escaped HTML with <ins>/<del> and
visually hidden "inserted:"/"deleted:" labels so screen readers hear what changed; and the
changes between two versions of the document, clause by clause."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from deliberate.i18n import gettext as _

_TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


def word_diff(old: str, new: str) -> Markup:
    """`old` -> `new` as HTML: unchanged words as text, removed ones in <del>, added in <ins>."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    deleted_label = escape(_("deleted:"))
    inserted_label = escape(_("inserted:"))
    end_label = escape(_("end of change"))
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            out.append(
                f'<del><span class="visually-hidden">[{deleted_label} </span>'
                f"{escape(''.join(a[i1:i2]))}"
                f'<span class="visually-hidden"> {end_label}]</span></del>'
            )
        if op in ("insert", "replace"):
            out.append(
                f'<ins><span class="visually-hidden">[{inserted_label} </span>'
                f"{escape(''.join(b[j1:j2]))}"
                f'<span class="visually-hidden"> {end_label}]</span></ins>'
            )
    return Markup("".join(out))  # nosec B704  # noqa: S704 - every piece of text above is escaped  # nosemgrep: markup-outside-sanitiser


def changed_words(old: str, new: str) -> tuple[list[str], list[str]]:
    """The words removed and added (for tests and plain-text summaries)."""
    a, b = _tokens(old), _tokens(new)
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            removed += [t for t in a[i1:i2] if t.strip()]
        if op in ("insert", "replace"):
            added += [t for t in b[j1:j2] if t.strip()]
    return removed, added


@dataclass
class ClauseChange:
    kind: str  # "added", "removed", "changed" or "unchanged"
    section_en: str
    section_cy: str
    clause_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def diff(self, language: str) -> Markup:
        field = f"body_{language}"
        return word_diff(
            (self.old or {}).get(field, "") or "", (self.new or {}).get(field, "") or ""
        )

    def section(self, locale: str) -> str:
        return (self.section_cy if locale == "cy" else self.section_en) or self.section_en


def _clauses(snapshot: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    return {
        clause["id"]: (section, clause)
        for section in snapshot.get("sections", [])
        for clause in section.get("clauses", [])
    }


def version_diff(
    old: dict[str, Any], new: dict[str, Any], *, include_unchanged: bool = False
) -> list[ClauseChange]:
    """Clause by clause, in the newer version's order (removed clauses where they stood)."""
    before, after = _clauses(old), _clauses(new)
    changes: list[ClauseChange] = []
    for clause_id, (section, clause) in after.items():
        previous = before.get(clause_id)
        if previous is None:
            kind = "added"
        elif (previous[1].get("body_en"), previous[1].get("body_cy")) != (
            clause.get("body_en"),
            clause.get("body_cy"),
        ) or previous[0].get("key") != section.get("key"):
            kind = "changed"
        else:
            kind = "unchanged"
        if kind != "unchanged" or include_unchanged:
            changes.append(
                ClauseChange(
                    kind,
                    section.get("title_en", ""),
                    section.get("title_cy", ""),
                    clause_id,
                    previous[1] if previous else None,
                    clause,
                )
            )
    for clause_id, (section, clause) in before.items():
        if clause_id not in after:
            changes.append(
                ClauseChange(
                    "removed",
                    section.get("title_en", ""),
                    section.get("title_cy", ""),
                    clause_id,
                    clause,
                    None,
                )
            )
    return changes
