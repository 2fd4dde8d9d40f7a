"""A small PDF writer for plain text documents such as receipts.

Why not a library: none ships in the Lambda runtime or the Powertools layer, and the maintained ones
(fpdf2, reportlab) pull in Pillow, a binary wheel that the Docker-free, offline asset build cannot fetch for
arm64. A receipt needs one standard font and lines of text, which PDF 1.4 gives in a few objects: the
built-in Helvetica with WinAnsiEncoding covers Swedish (å ä ö é) with no embedded font.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
LINE_HEIGHT = {"title": 24, "heading": 18, "text": 14, "small": 12}
FONT_SIZE = {"title": 18, "heading": 12, "text": 10, "small": 8}
BOLD = {"title", "heading"}


@dataclass(frozen=True)
class Line:
    text: str
    style: str = "text"  # title | heading | text | small


def _escape(text: str) -> bytes:
    # WinAnsiEncoding is cp1252; a character outside it is replaced rather than failing the whole receipt.
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pages(lines: Sequence[Line]) -> list[list[tuple[Line, float]]]:
    pages: list[list[tuple[Line, float]]] = [[]]
    y = PAGE_HEIGHT - MARGIN
    for line in lines:
        step = LINE_HEIGHT[line.style]
        if y - step < MARGIN:
            pages.append([])
            y = PAGE_HEIGHT - MARGIN
        y -= step
        pages[-1].append((line, y))
    return pages


def _content(placed: list[tuple[Line, float]]) -> bytes:
    parts = [b"BT"]
    for line, y in placed:
        font = b"/F2" if line.style in BOLD else b"/F1"
        parts.append(
            b"%s %d Tf 1 0 0 1 %d %.1f Tm (%s) Tj"
            % (font, FONT_SIZE[line.style], MARGIN, y, _escape(line.text))
        )
    parts.append(b"ET")
    return b"\n".join(parts)


def render(lines: Sequence[Line], *, title: str) -> bytes:
    """A PDF document of ``lines``, flowing onto as many A4 pages as needed."""
    pages = _pages(lines)
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    info = add(b"<< /Title (%s) /Producer (Polisen e-services) >>" % _escape(title))
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    tree = add(b"")
    page_numbers = []
    for placed in pages:
        stream = _content(placed)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page_numbers.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (tree, PAGE_WIDTH, PAGE_HEIGHT, content, regular, bold)
            )
        )
    kids = b" ".join(b"%d 0 R" % n for n in page_numbers)
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_numbers))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)
