"""OCR of scanned pages: render with pypdfium2, deskew, read words and boxes from tesseract TSV."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from fsfdocs.parse.errors import OCRError
from fsfdocs.parse.layout import Word

OCR_LANG = "swe"
MIN_WORD_CONF = 10.0  # tesseract words below this confidence are noise (specks, rules)
TESSERACT_TIMEOUT_S = 120


def render_page(pdf: pdfium.PdfDocument, index: int, dpi: int) -> Image.Image:
    """Page ``index`` rendered to a grayscale image at ``dpi``."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        page.close()


def estimate_skew(image: Image.Image, max_angle: float = 3.0, step: float = 0.25) -> float:
    """The rotation (degrees) that makes text rows most horizontal (projection-profile method).

    Works on a thumbnail, so it costs a few tens of milliseconds per page.
    """
    thumb = image.copy()
    thumb.thumbnail((800, 800))
    ink = Image.fromarray(((np.asarray(thumb) < 160) * 255).astype(np.uint8))
    best, best_score = 0.0, -1.0
    for angle in np.arange(-max_angle, max_angle + step / 2, step):
        rows = np.asarray(ink.rotate(float(angle), resample=Image.NEAREST)).sum(axis=1, dtype=float)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def deskew(image: Image.Image) -> Image.Image:
    """The image rotated so that its text rows are horizontal (unchanged when nearly so)."""
    angle = estimate_skew(image)
    if abs(angle) < 0.2:
        return image
    return image.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=255)


def ocr_image(image: Image.Image, file_name: str, page: int, dpi: int) -> tuple[list[Word], float]:
    """Words (boxes in PDF points) and mean word confidence (0..100) of one page image."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise OCRError(file_name, "OCR is needed for a scanned page but tesseract is not installed")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        proc = subprocess.run(
            [exe, "stdin", "stdout", "-l", OCR_LANG, "--psm", "3", "tsv"],
            input=buf.getvalue(),
            capture_output=True,
            env=env,
            timeout=TESSERACT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OCRError(file_name, f"OCR of page {page} took too long and was stopped") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OCRError(file_name, f"OCR of page {page} failed: {err[-1] if err else 'no output'}")
    return parse_tsv(proc.stdout.decode("utf-8", "replace"), 72.0 / dpi)


def parse_tsv(tsv: str, scale: float) -> tuple[list[Word], float]:
    """Words from tesseract TSV output; ``scale`` converts pixels to points."""
    words: list[Word] = []
    confs: list[float] = []
    lines = tsv.splitlines()
    for row in lines[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = parts[11].strip()
        conf = float(parts[10])
        if not text or conf < MIN_WORD_CONF:
            continue
        left, top, width, height = (int(v) for v in parts[6:10])
        confs.append(conf)
        words.append(
            Word(
                text,
                left * scale,
                top * scale,
                (left + width) * scale,
                (top + height) * scale,
                size=height * scale,
            )
        )
    _normalise_sizes(words)
    mean_conf = sum(confs) / len(confs) if confs else 0.0
    return words, mean_conf


def _normalise_sizes(words: list[Word]) -> None:
    """Give each OCR word a font size from its line height rather than its own glyph extent.

    A word's box height depends on its letters (``sa`` vs ``Åg``); the tallest box among words
    sharing a baseline is the better estimate of the font size.
    """
    words.sort(key=lambda w: (w.bottom, w.x0))
    i = 0
    while i < len(words):
        j = i
        tol = 0.3 * words[i].size
        while j + 1 < len(words) and abs(words[j + 1].bottom - words[i].bottom) < tol:
            j += 1
        size = max(w.size for w in words[i : j + 1]) * 0.8
        for w in words[i : j + 1]:
            w.size = size
        i = j + 1


def ocr_page(
    pdf: pdfium.PdfDocument, index: int, file_name: str, dpi: int = 200
) -> tuple[list[Word], float]:
    """OCR page ``index`` (0-based): words with boxes in points and the mean confidence."""
    image = deskew(render_page(pdf, index, dpi))
    return ocr_image(image, file_name, index + 1, dpi)
