"""The poster logo's checks: PNG or JPEG only, ≤ 2 MB, still, ≥ 64 px; re-encoded as a clean PNG ≤ 800 px."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from quizapp.domain.errors import ValidationError
from quizapp.domain.logo import LOGO_MAX_BYTES, prepare_logo


def png_bytes(size=(300, 150), mode="RGBA", color=(11, 93, 59, 255), text: dict | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_bytes(size=(400, 200), orientation: int | None = None, artist: str | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    # The left half dark, so that a rotation can be seen in the result.
    image.paste((0, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if artist:
        exif[0x013B] = artist
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def reason(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        prepare_logo(data)
    assert list(caught.value.fields) == ["logo"]
    return caught.value.fields["logo"]


def test_a_large_png_is_shrunk_to_800_px_keeping_its_shape_and_transparency():
    logo = prepare_logo(png_bytes((1600, 400), color=(11, 93, 59, 128)))
    image = Image.open(io.BytesIO(logo.data))
    assert (image.format, image.size, (logo.width, logo.height)) == ("PNG", (800, 200), (800, 200))
    assert image.mode == "RGBA" and image.getpixel((10, 10))[3] == 128


def test_a_small_enough_png_keeps_its_size():
    logo = prepare_logo(png_bytes((300, 150)))
    assert (logo.width, logo.height) == (300, 150)


def test_metadata_is_stripped_from_a_png():
    logo = prepare_logo(png_bytes(text={"Author": "张三 13812345678", "Comment": "secret"}))
    image = Image.open(io.BytesIO(logo.data))
    assert not getattr(image, "text", {}) and b"13812345678" not in logo.data and b"Author" not in logo.data


def test_a_jpeg_becomes_an_upright_png_without_exif():
    # Orientation 6: the camera was turned; the stored pixels must be rotated upright (200 × 400).
    logo = prepare_logo(jpeg_bytes((400, 200), orientation=6, artist="李四"))
    image = Image.open(io.BytesIO(logo.data))
    assert image.format == "PNG" and image.size == (200, 400)
    assert not image.getexif() and "exif" not in image.info
    assert image.mode == "RGB"
    top, bottom = image.getpixel((100, 20)), image.getpixel((100, 380))
    assert top[0] < 40 and bottom[0] > 150  # the dark half came to the top: turned, not just resized


def test_a_palette_png_with_transparency_stays_transparent():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([255, 255, 255, 0, 0, 0])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    out = Image.open(io.BytesIO(prepare_logo(buffer.getvalue()).data))
    assert out.mode == "RGBA" and out.getpixel((5, 5))[3] == 0


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"%PDF-1.4\n1 0 obj"])
def test_what_is_not_an_image_is_refused_in_chinese(data):
    text = reason(data)
    assert "PNG" in text and ("不是" in text or "请选择" in text)


def test_other_image_formats_are_refused_by_name():
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buffer, format="GIF")
    assert "GIF" in reason(buffer.getvalue()) and "只支持 PNG 或 JPEG" in reason(buffer.getvalue())


def test_more_than_2_mb_is_refused_before_decoding():
    data = png_bytes((100, 100)) + b"\0" * LOGO_MAX_BYTES
    assert "图片太大" in reason(data) and "2 MB" in reason(data)


def test_exactly_2_mb_of_a_real_image_is_accepted():
    # Noise does not compress: a 2 MB limit must let a real, almost-2-MB PNG through.
    import random

    rng = random.Random(7)
    side = 820
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert 1_900_000 < len(buffer.getvalue()) <= LOGO_MAX_BYTES
    assert prepare_logo(buffer.getvalue()).width == 800


@pytest.mark.parametrize("size", [(63, 200), (200, 63), (32, 32)])
def test_too_small_is_refused_with_its_size(size):
    text = reason(png_bytes(size))
    assert "太小" in text and f"{size[0]}×{size[1]}" in text and "64" in text


def test_64_px_is_enough():
    assert prepare_logo(png_bytes((64, 64))).width == 64


def test_an_animated_png_is_refused():
    frames = [Image.new("RGB", (100, 100), color) for color in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    assert "动画" in reason(buffer.getvalue())


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size, with one tiny compressed row: a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(30000, 30000), (10000, 5000)])
def test_a_decompression_bomb_is_refused_from_its_header(size):
    # 900 megapixels trips Pillow's own guard; 50 megapixels passes it but not the logo's limit.
    assert "像素过多" in reason(_png_header_only(*size))


def test_a_truncated_image_is_refused_as_damaged():
    data = jpeg_bytes((600, 600))
    assert "损坏" in reason(data[: len(data) // 3])


def test_a_truncated_image_is_refused_even_after_weasyprint_loosened_pillow(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing weasyprint does
    data = jpeg_bytes((600, 600))
    assert "损坏" in reason(data[: len(data) // 3])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # and the report's own setting is left as it was
