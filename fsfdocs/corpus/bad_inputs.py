"""Broken and hostile PDF inputs for the ingest tests (``tests/data/bad``, ``tests/data/hang``)."""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pikepdf
from reportlab.pdfgen import canvas as rl_canvas

HTML = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Sidan kunde inte hittas – Malmö stad</title>
</head><body><h1>404 – Sidan kunde inte hittas</h1>
<p>Dokumentet du söker har flyttats. Gå till <a href="https://malmo.se">malmo.se</a>.</p>
</body></html>
"""


def write_bad_inputs(out_dir: Path, real_pdf: Path) -> list[Path]:
    """Write the six bad inputs; ``real_pdf`` is cut for ``truncated.pdf`` and encrypted."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = real_pdf.read_bytes()
    files = {
        "empty.pdf": b"",
        "truncated.pdf": data[: int(len(data) * 0.4)],
        "random-bytes.pdf": random.Random(42).randbytes(64 * 1024),
        "html-page.pdf": HTML.encode("utf-8"),
    }
    written = []
    for name, content in files.items():
        (out_dir / name).write_bytes(content)
        written.append(out_dir / name)
    pw = out_dir / "password.pdf"
    with pikepdf.open(real_pdf) as pdf:
        # RC4 (no random AES IV) and a static /ID keep the encrypted bytes stable across runs
        pdf.save(pw, encryption=pikepdf.Encryption(user="hemligt", owner="fsf-owner", R=4,
                                                   aes=False, metadata=False),
                 static_id=True)
    written.append(pw)
    blank = out_dir / "blank-page.pdf"
    c = rl_canvas.Canvas(str(blank), invariant=1)
    c.showPage()  # one page, no text, no image
    c.save()
    written.append(blank)
    return written


def write_hang_input(out_path: Path, n_ops: int = 2_000_000) -> Path:
    """A small valid PDF whose one page holds ``n_ops`` tiny text-show operators.

    The flate-compressed content stream is a few hundred kB but pdfminer (pdfplumber) has to
    interpret every operator and build a layout object per glyph, which takes minutes.
    """
    ops = b"BT /F1 1 Tf 10 10 Td " + b"(.) Tj " * n_ops + b"ET"
    with pikepdf.new() as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica))
        stream = pikepdf.Stream(pdf, zlib.compress(ops, 9))
        stream.Filter = pikepdf.Name.FlateDecode
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=stream,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
        pdf.pages.append(pikepdf.Page(page))
        out_path.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(out_path, static_id=True, compress_streams=False)
    return out_path
