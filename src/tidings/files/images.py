"""Images through Pillow: check that a claimed image is one, measure it, make its thumbnail.

Everything here is blocking and runs in the media worker pool. Decoding is bounded before it
starts: the headers say how big the canvas is and how many frames there are
(``image_probe``), and an image whose canvas is over the pixel limit, or whose canvas times
its frames (up to ``MAX_FRAMES``, where thumbnails stop) is over the decoding budget, is never
decoded: the caller keeps it as a plain file. Location metadata is removed elsewhere, from
every file, without decoding (``files/location.py``).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

from tidings.files import image_probe

# The formats we accept as images, by Pillow's name: what browsers show.
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
}
# The declared types of those formats (and common aliases): a file declared as one must decode.
# Other image types (HEIC, AVIF, TIFF, SVG...) are kept as plain files, not refused.
DECODED_TYPES = frozenset(MIME_TYPES.values()) | {"image/jpg", "image/pjpeg", "image/x-ms-bmp"}
MAX_FRAMES = 300
_ORIENTATION = ExifTags.Base.Orientation.value
# EXIF orientations 5 to 8 turn the picture a quarter: width and height swap on screen.
_QUARTER_TURNS = {5, 6, 7, 8}


class NotAnImage(Exception):
    """The bytes do not decode as an image of an accepted format."""


class TooLarge(Exception):
    """A real image, but over the pixel limit: kept as a plain file."""


@dataclass(frozen=True, slots=True)
class Analysis:
    mime: str
    # As shown: EXIF orientation applied.
    width: int
    height: int
    animated: bool
    thumbnail: bytes
    thumbnail_mime: str


def use_pillow_limit(max_pixels: int) -> None:
    """Set Pillow's process-wide decompression-bomb limit to ours (at server start-up)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def analyze(path: Path, *, box: int, max_pixels: int, max_decode_pixels: int) -> Analysis:
    """Decode the image, measure it and render its thumbnail (animated ones stay animated).
    ``TooLarge`` when its headers say that would cost more than the limits allow."""
    try:
        probe = image_probe.probe(path, frame_limit=MAX_FRAMES)
    except image_probe.Unrecognised:
        raise NotAnImage() from None
    if (
        probe.width * probe.height > max_pixels
        or probe.decode_pixels(MAX_FRAMES) > max_decode_pixels
    ):
        raise TooLarge()
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (``use_pillow_limit``), a second line behind ours.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[probe.format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise TooLarge()
                exif = image.getexif()
                if exif.get(_ORIENTATION) in _QUARTER_TURNS:
                    width, height = height, width
                animated = bool(getattr(image, "is_animated", False))
                thumbnail, thumbnail_mime = (
                    _animated_thumbnail(image, box, max_decode_pixels)
                    if animated
                    else _still_thumbnail(image, box)
                )
                return Analysis(
                    mime=MIME_TYPES[probe.format],
                    width=width,
                    height=height,
                    animated=animated,
                    thumbnail=thumbnail,
                    thumbnail_mime=thumbnail_mime,
                )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge() from None
    except UnidentifiedImageError:
        raise NotAnImage() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt data surfaces as these while decoding.
        raise NotAnImage() from None


def _still_thumbnail(image: Image.Image, box: int) -> tuple[bytes, str]:
    if image.format == "JPEG":
        # Decode at a reduced scale: a 24-megapixel photo loads in a fraction of the time.
        image.draft("RGB", (box * 2, box * 2))
    image.load()
    shown = ImageOps.exif_transpose(image)
    shown.thumbnail((box, box))
    has_alpha = shown.mode in ("RGBA", "LA", "PA") or "transparency" in shown.info
    shown = shown.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    shown.save(out, "WEBP", quality=80)
    return out.getvalue(), "image/webp"


def _animated_thumbnail(image: Image.Image, box: int, max_decode_pixels: int) -> tuple[bytes, str]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    decoded = 0
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        # The headers were measured; this holds even if a frame grows the canvas after all.
        decoded += frame.width * frame.height
        if index >= MAX_FRAMES or decoded > max_decode_pixels:
            break
        small = frame.convert("RGBA")
        small.thumbnail((box, box))
        frames.append(small)
        durations.append(int(frame.info.get("duration", 100)) or 100)
    out = io.BytesIO()
    fmt = "WEBP" if image.format == "WEBP" else "GIF"
    frames[0].save(
        out,
        fmt,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=int(image.info.get("loop", 0)),
        **({"disposal": 2} if fmt == "GIF" else {"quality": 80}),
    )
    return out.getvalue(), f"image/{fmt.lower()}"
