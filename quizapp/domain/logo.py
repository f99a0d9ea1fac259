"""The organizer's logo for the posters: checked, cleaned and shrunk before it is kept.

Plain bytes in, a PNG out: no flask, no database. Every refusal is a ValidationError on the field
`logo` with a reason staff can act on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import ValidationError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 800   # px on the long side: about 7 cm at 300 dpi, more than a poster's logo needs
LOGO_MIN_SIDE = 64    # px on the short side: smaller prints as a blur
# A small file can still unpack into a huge bitmap (a "decompression bomb"); refuse it from the header.
LOGO_MAX_PIXELS = 40_000_000
# Phones often save JPEGs as MPO (a JPEG with extra preview frames): the first frame is the photo.
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}
_TOO_MANY_PIXELS = f"图片像素过多：请缩小到长边不超过 {LOGO_MAX_SIDE} 像素后再上传"


@dataclass(frozen=True)
class Logo:
    """A cleaned logo: PNG bytes without metadata, and its size in pixels."""

    data: bytes
    width: int
    height: int


def _refuse(reason: str) -> ValidationError:
    return ValidationError("logo", reason)


def _open(data: bytes) -> Image.Image:
    """The image with only its header read, or a refusal for anything that is not PNG or JPEG."""
    if not data:
        raise _refuse("请选择要上传的标志图片（PNG 或 JPEG）")
    if len(data) > LOGO_MAX_BYTES:
        raise _refuse(f"图片太大：{len(data) / 1048576:.1f} MB，最多 2 MB；请压缩或缩小后再上传")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(_TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise _refuse("这不是可识别的图片：请上传 PNG 或 JPEG 格式的标志") from exc
    if image.format not in _FORMATS:
        raise _refuse(f"只支持 PNG 或 JPEG 图片，这个文件是 {image.format or '未知'} 格式")
    return image


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width * height > LOGO_MAX_PIXELS:
        raise _refuse(f"{_TOO_MANY_PIXELS}（{width}×{height}）")
    if min(width, height) < LOGO_MIN_SIDE:
        raise _refuse(f"图片太小（{width}×{height} 像素）：宽和高都至少要 {LOGO_MIN_SIDE} 像素，印出来才清晰")


def _is_animated(image: Image.Image) -> bool:
    # An MPO's extra frames are previews, not an animation; an animated PNG (APNG) is refused.
    return _FORMATS[image.format] == "PNG" and getattr(image, "n_frames", 1) > 1


def _cleaned(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), in RGB or RGBA, without any metadata, at most LOGO_MAX_SIDE."""
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)  # only ever shrinks
    # A fresh image carries no EXIF, text chunks or ICC profile from the upload (names, places, GPS).
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _load_whole(image: Image.Image) -> None:
    """Decode every pixel, refusing a cut-off file even where Pillow was told to accept them.

    WeasyPrint (the summary report) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is
    imported, after which a half-uploaded JPEG would decode with a grey bottom and be kept.
    """
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def prepare_logo(data: bytes) -> Logo:
    """Check an uploaded logo (PNG or JPEG, ≤ 2 MB, not animated, ≥ 64 px) and re-encode it as a clean PNG."""
    image = _open(data)
    _check_size(image)
    if _is_animated(image):
        raise _refuse("不支持动画图片：请上传静态的 PNG 或 JPEG 标志")
    try:
        _load_whole(image)
        clean = _cleaned(image)
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data behind a valid header
        raise _refuse("图片文件已损坏或不完整：请重新导出后再上传") from exc
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return Logo(data=buffer.getvalue(), width=clean.width, height=clean.height)
