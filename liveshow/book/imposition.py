"""Imposition for a folded booklet (saddle stitch), with pypdf.

The A5 pages go two to a side of an A4 sheet (landscape), in the printer's order: printed
double-sided (flip on the short edge), the sheets stacked in order, folded once and stapled
in the fold, they read 1, 2, 3... The book is padded with blank pages to a multiple of four.
For n pages, sheet s (from 0) carries n-2s | 2s+1 on its front and 2s+2 | n-2s-1 on its back.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

A4_LANDSCAPE = (841.89, 595.28)  # points


def printers_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers (1-based; above ``pages`` means blank) of each A4 side,
    front then back, sheet after sheet."""
    n = -(-pages // 4) * 4
    sides = []
    for s in range(n // 4):
        sides.append((n - 2 * s, 2 * s + 1))
        sides.append((2 * s + 2, n - 2 * s - 1))
    return sides


def impose(pdf: bytes) -> tuple[bytes, int]:
    """``pdf`` (A5 pages) imposed on A4 sheets; the imposed PDF and its number of sides."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    width, height = A4_LANDSCAPE
    for left, right in printers_order(len(reader.pages)):
        side = PageObject.create_blank_page(width=width, height=height)
        for number, x0 in ((left, 0.0), (right, width / 2)):
            if number > len(reader.pages):
                continue  # padding: a blank page
            page = reader.pages[number - 1]
            box = page.mediabox
            scale = min((width / 2) / float(box.width), height / float(box.height))
            dx = x0 + ((width / 2) - float(box.width) * scale) / 2 - float(box.left) * scale
            dy = (height - float(box.height) * scale) / 2 - float(box.bottom) * scale
            side.merge_transformed_page(
                page, Transformation().scale(scale, scale).translate(dx, dy)
            )
        writer.add_page(side)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
