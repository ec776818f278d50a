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


RULE_MIN_INCHES = 0.5  # a straight ink run at least this long is a ruling line, not a glyph


def _cut(a: np.ndarray, start: int, stop: int, axis: int) -> np.ndarray:
    return a[(slice(None),) * axis + (slice(start, stop),)]


def _long_runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Mask of the pixels lying in a straight run of at least ``length`` ink pixels."""
    n = ink.shape[axis]
    if n < length:
        return np.zeros_like(ink)
    pad = list(ink.shape)
    pad[axis] = 1
    c = np.concatenate([np.zeros(pad, np.int32), np.cumsum(ink, axis=axis, dtype=np.int32)], axis)
    # starts[s]: the window of ``length`` pixels starting at s is all ink
    starts = (_cut(c, length, n + 1, axis) - _cut(c, 0, n - length + 1, axis)) == length
    # pixel j is covered when a window starts in [j - length + 1, j]
    pad[axis] = length
    f = np.concatenate([np.zeros(pad, np.int32), np.cumsum(starts, axis=axis, dtype=np.int32)],
                       axis)
    pad[axis] = length - 1
    f = np.concatenate([f, np.repeat(_cut(f, -1, None, axis), length - 1, axis=axis)], axis)
    return (_cut(f, length, n + length, axis) - _cut(f, 0, n, axis)) > 0


def remove_rules(image: Image.Image, dpi: int) -> Image.Image:
    """The page image without ruling lines (table grids, underlines), whitened.

    Tesseract reads a ruled table poorly: cells touching the grid are dropped or glued to ``|``.
    Any straight horizontal or vertical ink run longer than :data:`RULE_MIN_INCHES` is a rule
    (glyph strokes are far shorter), and is removed with its anti-aliased edge.
    """
    arr = np.asarray(image.convert("L"))
    ink = arr < 160
    length = max(int(dpi * RULE_MIN_INCHES), 8)
    # vertical runs on the transposed copy: row-wise cumulative sums are much faster
    mask = _long_runs(ink, length, 1) | _long_runs(np.ascontiguousarray(ink.T), length, 1).T
    if not mask.any():
        return image
    wide = mask.copy()
    wide[1:] |= mask[:-1]
    wide[:-1] |= mask[1:]
    wide[:, 1:] |= mask[:, :-1]
    wide[:, :-1] |= mask[:, 1:]
    out = arr.copy()
    out[wide & (arr < 220)] = 255
    return Image.fromarray(out)


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
    words = drop_rule_noise(words)
    _normalise_sizes(words)
    mean_conf = sum(confs) / len(confs) if confs else 0.0
    return words, mean_conf


RULE_GLYPHS = "|¦"  # what tesseract reads ruling lines of a scanned table grid as
BULLET_MISREADS = "«»°•·◦"  # a word made only of these is a list bullet


def drop_rule_noise(words: list[Word]) -> list[Word]:
    """Words without the traces of a scanned table's ruling lines.

    Tesseract reads vertical rules as ``|`` (alone or stuck to a cell's text, ``1228804]``) and
    sometimes a grid crossing as a tall junk word spanning several rows; both would glue
    separate table rows into one line.
    """
    if not words:
        return words
    heights = sorted(w.bottom - w.top for w in words)
    tall = 2.5 * heights[len(heights) // 2]
    out = []
    for w in words:
        text = w.text.strip(RULE_GLYPHS)
        if text and all(ch in BULLET_MISREADS for ch in text):
            text = "•"  # a list bullet read as guillemets or a degree sign
        if text[:-1].isdigit() and text.endswith("]"):
            text = text[:-1]
        if not text or w.bottom - w.top > tall:
            continue
        w.text = text
        out.append(w)
    return out


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
    image = remove_rules(deskew(render_page(pdf, index, dpi)), dpi)
    return ocr_image(image, file_name, index + 1, dpi)
