"""Render a ``corpus/src`` document as a realistic municipal PDF with reportlab.

Two styles: ``default`` (DejaVu Sans, A4, ruled grid tables) and ``alt`` (DejaVu Serif, US
Letter with a narrower text column, tables with only a header rule, small-caps-like headings).
Every page gets a running header and footer; footers carry ``N (total)`` page numbers. Output is
byte-for-byte deterministic (reportlab ``invariant=1``, fixed metadata).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fsfdocs.corpus.markup import Block, SourceDocument, load_source

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NUMERIC = re.compile(r"^[−\-–]?\s?\d[\d\s\u00a0]*(,\d+)?\s?%?$")
VOWELS = set("aeiouyåäöéAEIOUYÅÄÖÉ")
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class Style:
    """Page and typography settings of one rendering style."""

    name: str
    page_size: tuple[float, float]
    margins: tuple[float, float, float, float]  # left, right, top, bottom
    font: str
    bold: str
    body_size: float
    justify: bool
    grid_tables: bool


STYLES = {
    "default": Style("default", A4, (25 * mm, 25 * mm, 28 * mm, 25 * mm), "DejaVuSans",
                     "DejaVuSans-Bold", 10.0, False, True),
    "alt": Style("alt", LETTER, (38 * mm, 32 * mm, 30 * mm, 28 * mm), "DejaVuSerif",
                 "DejaVuSerif-Bold", 10.5, True, False),
}


def register_fonts() -> None:
    """Register the embedded DejaVu TTF fonts (full Unicode: − – § å ä ö)."""
    for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif", "DejaVuSerif-Bold",
                 "DejaVuSans-Oblique"):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))


def hyphenate(text: str, min_len: int = 17) -> str:
    """Insert soft hyphens into very long plain words at vowel-consonant-vowel boundaries.

    Words that already contain a hyphen (``LSS-boenden``, ``avlösning-``) are left alone.
    """

    def one(word: str) -> str:
        if len(word) < min_len or not word.isalpha():
            return word
        cuts = [k for k in range(6, len(word) - 5)
                if word[k - 1] in VOWELS and word[k] not in VOWELS and word[k + 1] in VOWELS]
        for k in reversed(cuts):
            word = word[:k] + SOFT_HYPHEN + word[k:]
        return word

    return re.sub(r"[^\W\d_]+", lambda m: one(m.group(0)), text)


def _header_footer_canvas(meta: dict[str, str], style: Style):
    """A canvas class that draws running header/footer with ``N (total)`` on every page."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._draw_running(total)
                super().showPage()
            super().save()

        def _draw_running(self, total: int) -> None:
            width, height = style.page_size
            left, right, top, bottom = style.margins
            n = self._pageNumber
            self.saveState()
            self.setFont(style.font, 8)
            y = height - top + 10 * mm
            self.drawString(left, y, meta.get("header_left", ""))
            self.drawRightString(width - right, y, meta.get("header_right", ""))
            if meta.get("header_right2"):
                self.drawRightString(width - right, y - 10, meta["header_right2"])
            if style.grid_tables:
                self.setLineWidth(0.4)
                self.line(left, y - 14, width - right, y - 14)
            footer = meta.get("footer", "{page} ({total})").format(page=n, total=total)
            fy = bottom - 12 * mm
            if style.name == "alt":
                self.drawCentredString(width / 2, fy, footer)
            else:
                self.drawRightString(width - right, fy, footer)
                if meta.get("footer_left"):
                    self.drawString(left, fy, meta["footer_left"])
            self.restoreState()

    return NumberedCanvas


def _styles(style: Style) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=style.font, fontSize=style.body_size,
                          leading=style.body_size * 1.4, spaceAfter=6,
                          alignment=TA_JUSTIFY if style.justify else TA_LEFT,
                          embeddedHyphenation=1, splitLongWords=0)
    out = {"body": base}
    sizes = {1: 15, 2: 12.5, 3: 11}
    for level, size in sizes.items():
        out[f"h{level}"] = ParagraphStyle(
            f"h{level}", parent=base, fontName=style.bold, fontSize=size, leading=size * 1.3,
            spaceBefore=10 if level > 1 else 14, spaceAfter=5, alignment=TA_LEFT,
            textColor=colors.black if style.name == "default" else colors.HexColor("#1f3a5f"))
    out["title"] = ParagraphStyle("title", parent=out["h1"], fontSize=19, leading=24,
                                  spaceAfter=12)
    out["item"] = ParagraphStyle("item", parent=base, leftIndent=16, bulletIndent=4,
                                 bulletFontName=style.font,
                                 spaceAfter=3)
    out["cell"] = ParagraphStyle("cell", parent=base, fontSize=style.body_size - 1.5,
                                 leading=(style.body_size - 1.5) * 1.25, spaceAfter=0,
                                 alignment=TA_LEFT, embeddedHyphenation=0)
    out["cellnum"] = ParagraphStyle("cellnum", parent=out["cell"], alignment=TA_RIGHT)
    out["cellhead"] = ParagraphStyle("cellhead", parent=out["cell"], fontName=style.bold)
    out["cellheadnum"] = ParagraphStyle("cellheadnum", parent=out["cellhead"],
                                        alignment=TA_RIGHT)
    return out


def _text(s: str) -> str:
    return escape(hyphenate(s))


def _table(block: Block, style: Style, st: dict[str, ParagraphStyle], width: float) -> Table:
    n_cols = max(len(r) for r in block.rows)
    rows = [r + [""] * (n_cols - len(r)) for r in block.rows]
    numeric_cols = [
        all(NUMERIC.match(r[c]) or not r[c] for r in rows[block.header_rows:])
        and any(r[c] for r in rows[block.header_rows:])
        for c in range(n_cols)
    ]
    data = []
    for ri, row in enumerate(rows):
        head = ri < block.header_rows
        cells = []
        for ci, cell in enumerate(row):
            key = ("cellhead" if head else "cell") + ("num" if numeric_cols[ci] else "")
            cells.append(Paragraph(escape(cell), st[key]) if cell else "")
        data.append(cells)
    n_num = sum(numeric_cols)
    num_w = min(26 * mm, width * 0.6 / max(n_num, 1))
    text_cols = n_cols - n_num
    text_w = (width - n_num * num_w) / max(text_cols, 1)
    widths = [num_w if numeric_cols[c] else text_w for c in range(n_cols)]
    table = Table(data, colWidths=widths, repeatRows=0, splitByRow=1, hAlign="LEFT")
    cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if style.grid_tables:
        cmds += [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                 ("BACKGROUND", (0, 0), (-1, block.header_rows - 1), colors.HexColor("#e4e9f0"))]
    elif block.header_rows:
        cmds += [("LINEBELOW", (0, block.header_rows - 1), (-1, block.header_rows - 1), 0.8,
                  colors.black)]
    table.setStyle(TableStyle(cmds))
    return table


def build_story(doc: SourceDocument, style: Style) -> list:
    """The reportlab flowables for one source document."""
    st = _styles(style)
    width = style.page_size[0] - style.margins[0] - style.margins[1]
    story: list = []
    if doc.meta.get("title"):
        story.append(Paragraph(escape(doc.meta["title"]), st["title"]))
    for i, b in enumerate(doc.blocks):
        if b.kind == "pagebreak":
            story.append(PageBreak())
        elif b.kind == "heading":
            level = min(b.level, 3)
            nxt = doc.blocks[i + 1] if i + 1 < len(doc.blocks) else None
            para = Paragraph(escape(b.text), st[f"h{level}"])
            if nxt is not None and nxt.kind in ("paragraph", "bullet", "numbered"):
                # keep a heading with the first lines of what follows
                story.append(KeepTogether([para]))
                story[-1].keepWithNext = 1
            else:
                story.append(para)
        elif b.kind == "paragraph":
            story.append(Paragraph(_text(b.text), st["body"]))
        elif b.kind == "bullet":
            story.append(Paragraph(_text(b.text), st["item"], bulletText="•"))
        elif b.kind == "numbered":
            story.append(Paragraph(_text(b.text), st["item"], bulletText=f"{b.number}."))
        elif b.kind == "table":
            story.append(_table(b, style, st, width))
            story.append(Spacer(1, 8))
    return story


def render_pdf(source: Path | SourceDocument, out_path: Path, style: str = "default") -> Path:
    """Render one source document (path or parsed) to ``out_path`` in the named style."""
    register_fonts()
    doc = load_source(source) if isinstance(source, Path) else source
    sty = STYLES[style]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    left, right, top, bottom = sty.margins
    template = SimpleDocTemplate(
        str(out_path), pagesize=sty.page_size, leftMargin=left, rightMargin=right,
        topMargin=top, bottomMargin=bottom, title=doc.meta.get("title", ""),
        author=doc.meta.get("author", "Malmö stad"), subject=doc.meta.get("subject", ""),
        creator="fsfdocs corpus generator", producer="ReportLab", invariant=1,
    )
    template.build(build_story(doc, sty), canvasmaker=_header_footer_canvas(doc.meta, sty))
    return out_path
