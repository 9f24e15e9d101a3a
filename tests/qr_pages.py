"""What a phone would read from printed slips: each PDF page rendered to a grey image, as a
black-and-white printer makes it, and every QR code on it decoded with zxing-cpp."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2
import zxingcpp

DPI = 150  # a plain office scan; 30 mm is then about 177 pixels
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Read:
    """One QR code read from a page: its text, error correction level and width in mm."""

    text: str
    level: str
    width_mm: float
    left_mm: float
    top_mm: float


def read_pages(pdf: bytes) -> list[list[Read]]:
    """Returns, page by page, the QR codes a reader finds, top to bottom, left to right."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [_read(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _read(page: pypdfium2.PdfPage) -> list[Read]:
    image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    # A black-and-white print: every pixel black or white, nothing in between.
    image = image.point(lambda value: 255 if value >= 128 else 0)
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    pixel = MM_PER_INCH / DPI
    reads = [
        Read(
            text=code.text,
            level=code.ec_level,
            width_mm=(code.position.top_right.x - code.position.top_left.x) * pixel,
            left_mm=code.position.top_left.x * pixel,
            top_mm=code.position.top_left.y * pixel,
        )
        for code in found
    ]
    return sorted(reads, key=lambda read: (round(read.top_mm / 10), read.left_mm))
