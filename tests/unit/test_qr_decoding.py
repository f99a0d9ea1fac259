"""Real decoders for the QR tests: zxing-cpp on PNGs, on PDFs rendered by pdftoppm, on rasterised SVG paths.

The helpers are imported by the unit, CLI and web tests; the tests here prove the helpers can fail.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw

# qrcode's SvgPathImage writes one square subpath per dark module: M x,y H x2 V y2 H x z
_SQUARE = re.compile(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H[\d.]+z")
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def need(tool: str) -> str:
    """The path of a poppler tool, or a failure that says how to install it."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: run `make system-deps` (Debian poppler-utils)")
    return path


def decode_image(image: Image.Image) -> list[zxingcpp.Barcode]:
    """Every QR code zxing-cpp finds in an image."""
    return [code for code in zxingcpp.read_barcodes(image.convert("L")) if code.format == zxingcpp.BarcodeFormat.QRCode]


def decode_png(data: bytes) -> zxingcpp.Barcode:
    """The one QR code in a PNG."""
    found = decode_image(Image.open(io.BytesIO(data)))
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0]


def render_pdf(data: bytes, dpi: int = 150) -> list[Image.Image]:
    """The PDF's pages as images, rendered by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        subprocess.run([need("pdftoppm"), "-r", str(dpi), "-png", str(source), str(Path(tmp) / "page")],
                       check=True, capture_output=True)
        return [Image.open(path).copy() for path in sorted(Path(tmp).glob("page*.png"))]


def decode_pdf(data: bytes) -> zxingcpp.Barcode:
    """The one QR code on the PDF's single page, rendered at 150 dpi."""
    pages = render_pdf(data)
    assert len(pages) == 1
    found = decode_image(pages[0])
    assert len(found) == 1, f"expected one QR code on the page, found {len(found)}"
    return found[0]


def pdf_tool(tool: str, data: bytes, *args: str) -> str:
    """The text output of pdfinfo, pdftotext (to stdout) or pdffonts on the PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        tail = ["-"] if tool == "pdftotext" else []
        done = subprocess.run([need(tool), *args, str(source), *tail], check=True, capture_output=True)
        return done.stdout.decode("utf-8")


def rasterize_svg(svg: str, scale: int = 8) -> Image.Image:
    """Paint the squares of a qrcode path SVG onto a white image (no SVG library needed)."""
    width, height = (float(v) for v in _VIEWBOX.search(svg).groups())
    image = Image.new("L", (int(width * scale), int(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    squares = _SQUARE.findall(svg)
    assert squares, "no module squares in the SVG path"
    for x1, y1, x2, y2 in squares:
        draw.rectangle([float(x1) * scale, float(y1) * scale, float(x2) * scale - 1, float(y2) * scale - 1], fill=0)
    return image


def test_decoder_finds_nothing_in_a_blank_image():
    assert decode_image(Image.new("L", (200, 200), 255)) == []


def test_rasterized_svg_with_a_module_missing_no_longer_reads_the_same():
    import qrcode
    from qrcode.image.svg import SvgPathImage

    code = qrcode.QRCode(border=4)
    code.add_data("https://example.org/s/demo/x")
    svg = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    assert decode_image(rasterize_svg(svg))[0].text == "https://example.org/s/demo/x"
    # Dropping the finder patterns' squares must break decoding: the rasteriser really draws the path.
    broken = _SQUARE.sub("", svg, count=60)
    assert [c.text for c in decode_image(rasterize_svg(broken))] != ["https://example.org/s/demo/x"]
