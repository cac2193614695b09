"""A published version as Markdown, JSON and PDF. Each names the version and its stable address;
the text is in the reader's language (the other language where a clause has no translation)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fpdf import FPDF

from deliberate.i18n import gettext as _
from deliberate.specs.models import Specification, SpecVersion
from deliberate.specs.service import clause_text

# A Unicode font for the PDF (Welsh needs ŵ and ŷ, which the PDF core fonts lack). The first one
# found is used; without any, the core font is used and the few characters it lacks are spelt
# without their accent.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)
_LATIN1_FALLBACK = str.maketrans(
    {
        "ŵ": "w", "Ŵ": "W", "ŷ": "y", "Ŷ": "Y", "ẁ": "w", "ẃ": "w", "ẅ": "w", "ỳ": "y",
        "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-",
    }
)  # fmt: skip


def document(version: SpecVersion, spec: Specification, url: str) -> dict[str, Any]:
    """The JSON export: the frozen snapshot, with the version's facts and address."""
    snap = version.snapshot
    return {
        "specification_id": str(spec.id),
        "cycle_id": str(spec.cycle_id),
        "version": version.number,
        "url": url,
        "created_at": version.created_at.isoformat() if version.created_at else None,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "reason": version.reason,
        "title": {"en": snap.get("title_en", ""), "cy": snap.get("title_cy", "")},
        "sections": [
            {
                "key": section["key"],
                "title": {"en": section["title_en"], "cy": section["title_cy"]},
                "clauses": [
                    {
                        "id": clause["id"],
                        "number": clause.get("number"),
                        "text": {"en": clause.get("body_en", ""), "cy": clause.get("body_cy", "")},
                        "proposals": clause.get("proposals", []),
                        "threads": clause.get("threads", []),
                        "results": clause.get("results", []),
                    }
                    for clause in section.get("clauses", [])
                ],
            }
            for section in snap.get("sections", [])
        ],
    }


def _title(snapshot: dict[str, Any], locale: str) -> str:
    return (snapshot.get(f"title_{locale}") or snapshot.get("title_en") or "").strip()


def _section_title(section: dict[str, Any], locale: str) -> str:
    return section.get(f"title_{locale}") or section.get("title_en") or ""


def markdown(version: SpecVersion, url: str, locale: str) -> str:
    snap = version.snapshot
    lines = [
        f"# {_title(snap, locale)}",
        "",
        _("Version %(number)s, published %(date)s.", number=version.number, date=_date(version)),
        "",
        _("Stable address: %(url)s", url=url),
        "",
    ]
    for section in snap.get("sections", []):
        lines += [f"## {_section_title(section, locale)}", ""]
        clauses = section.get("clauses", [])
        if not clauses:
            lines += [_("No clauses in this section."), ""]
        for clause in clauses:
            text, _lang = clause_text(clause, locale)
            lines += [f"### {clause.get('number', '')}", "", text.strip(), ""]
            if clause.get("proposals"):
                titles = "; ".join(p["title"] for p in clause["proposals"])
                lines += [_("Answers the proposals: %(titles)s", titles=titles), ""]
    return "\n".join(lines).rstrip() + "\n"


def _date(version: SpecVersion) -> str:
    stamp = version.published_at or version.created_at or dt.datetime.now(dt.UTC)
    return stamp.date().isoformat()


_MARKS = re.compile(r"(\*\*|__|`)")


def _plain(text: str) -> str:
    """Markdown to the plain text the PDF shows (emphasis marks removed, links kept as text)."""
    text = _MARKS.sub("", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text)


class _Document(FPDF):
    """A4, with the version and its stable address at the top of every page."""

    def __init__(self, family: str, header_text: str) -> None:
        super().__init__(format="A4")
        self.family = family
        self.header_text = header_text

    def header(self) -> None:
        self.set_font(self.family, size=8)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4, self.header_text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.cell(0, 6, f"{self.page_no()}", align="C")


def pdf(version: SpecVersion, url: str, locale: str) -> bytes:
    snap = version.snapshot
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path:
        family = "body"

        def fix(text: str) -> str:
            return text

    else:  # pragma: no cover - every supported platform has one of the fonts
        family = "helvetica"

        def fix(text: str) -> str:
            return text.translate(_LATIN1_FALLBACK).encode("latin-1", "replace").decode("latin-1")

    title = _title(snap, locale)
    header = _("Version %(number)s, published %(date)s. %(url)s", number=version.number,
               date=_date(version), url=url)  # fmt: skip
    doc = _Document(family, fix(header))
    if font_path:
        doc.add_font("body", "", font_path)
    doc.set_margins(18, 18, 18)
    doc.set_auto_page_break(True, margin=18)
    doc.set_lang(locale)
    doc.set_title(title)
    doc.set_subject(f"Version {version.number}: {url}")
    doc.set_creator("Deliberate")
    doc.add_page()
    doc.set_font(family, size=18)
    doc.multi_cell(0, 9, fix(title), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    for section in snap.get("sections", []):
        doc.set_font(family, size=14)
        doc.multi_cell(0, 8, fix(_section_title(section, locale)), new_x="LMARGIN", new_y="NEXT")
        doc.ln(1)
        doc.set_font(family, size=10)
        clauses = section.get("clauses", [])
        if not clauses:
            doc.multi_cell(0, 5, fix(_("No clauses in this section.")), new_x="LMARGIN",
                           new_y="NEXT")  # fmt: skip
        for clause in clauses:
            text, _lang = clause_text(clause, locale)
            doc.multi_cell(0, 5, fix(f"{clause.get('number', '')}  {_plain(text).strip()}"),
                           new_x="LMARGIN", new_y="NEXT")  # fmt: skip
            doc.ln(2)
        doc.ln(2)
    return bytes(doc.output())
