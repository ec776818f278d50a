"""Make an image-only "scanned" copy of a rendered PDF (no text layer).

Each page is rasterised with pypdfium2 at 200 dpi in grayscale, rotated by a small deterministic
skew (0.3–1°, sign alternating by seed), given light speckle noise and a slight blur, and stored
as a JPEG page in a new PDF. The same input and seed always give the same bytes.
"""

from __future__ import annotations

import io
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

DPI = 200
FIXED_DATE = datetime(2025, 2, 5, 10, 0, 0)


def degrade_page(img: Image.Image, rng: random.Random, np_rng: np.random.Generator) -> Image.Image:
    """Skew, speckle and blur one grayscale page image like a flatbed scan."""
    angle = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    arr = np.asarray(img, dtype=np.int16)
    arr = arr + np_rng.normal(0, 2, arr.shape).astype(np.int16)  # sensor noise
    speckles = np_rng.random(arr.shape) < 0.0004  # dust
    arr[speckles] = np_rng.integers(0, 120, int(speckles.sum()))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L")
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    # scanners clip the paper white; this also keeps the JPEG pages small
    return img.point(lambda v: 255 if v > 228 else v)


def scan_pdf(src: Path, out_path: Path, seed: int = 0, dpi: int = DPI, quality: int = 25) -> Path:
    """Write an image-only scanned copy of ``src`` to ``out_path``; returns ``out_path``."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(src))
    pages: list[Image.Image] = []
    for i in range(len(pdf)):
        bitmap = pdf[i].render(scale=dpi / 72, grayscale=True)
        img = bitmap.to_pil().convert("L")
        img = degrade_page(img, rng, np_rng)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=quality, optimize=True)
        pages.append(Image.open(io.BytesIO(buf.getvalue())))
    pdf.close()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(out_path, format="PDF", save_all=True, append_images=pages[1:],
                  resolution=float(dpi), quality=quality, title=src.stem, producer="fsfdocs scan",
                  creationDate=FIXED_DATE.timetuple(), modDate=FIXED_DATE.timetuple())
    return out_path
