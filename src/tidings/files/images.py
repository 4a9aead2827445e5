"""Images through Pillow: check that a claimed image is one, measure it, make its thumbnail,
and make the copy others download without the EXIF location.

Everything here is blocking and runs in a worker thread. Decoding is bounded: images over
the pixel limit are never decoded (the caller keeps them as plain files), animated
thumbnails stop after ``MAX_FRAMES``.
"""

from __future__ import annotations

import io
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

# The formats we accept as images, by Pillow's name: what browsers show.
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
}
MAX_FRAMES = 300
_ORIENTATION = ExifTags.Base.Orientation.value
_GPS = ExifTags.IFD.GPSInfo.value
# EXIF orientations 5 to 8 turn the picture a quarter: width and height swap on screen.
_QUARTER_TURNS = {5, 6, 7, 8}
# JPEG segments that may carry where a photo was taken besides EXIF: XMP and Photoshop/IPTC.
_XMP_PREFIXES = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
_APP1, _APP13, _SOS, _EOI = 0xE1, 0xED, 0xDA, 0xD9


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
    has_location: bool
    thumbnail: bytes
    thumbnail_mime: str


def analyze(path: Path, *, box: int, max_pixels: int) -> Analysis:
    """Decode the image, measure it and render its thumbnail (animated ones stay animated)."""
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below is stricter; Pillow's bomb warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=list(MIME_TYPES)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise TooLarge()
                exif = image.getexif()
                if exif.get(_ORIENTATION) in _QUARTER_TURNS:
                    width, height = height, width
                animated = bool(getattr(image, "is_animated", False))
                thumbnail, thumbnail_mime = (
                    _animated_thumbnail(image, box) if animated else _still_thumbnail(image, box)
                )
                return Analysis(
                    mime=MIME_TYPES[image.format or ""],
                    width=width,
                    height=height,
                    animated=animated,
                    has_location=_has_location(image, exif),
                    thumbnail=thumbnail,
                    thumbnail_mime=thumbnail_mime,
                )
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            raise TooLarge() from None
        raise NotAnImage() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt data surfaces as these while decoding.
        raise NotAnImage() from None


def strip_location(source: Path, target: Path) -> None:
    """Write ``source`` without its location: JPEGs losslessly (segments rewritten, pixels
    untouched), other formats re-encoded without the GPS tags and XMP."""
    with Image.open(source, formats=list(MIME_TYPES)) as image:
        if image.format == "JPEG":
            _strip_jpeg(source, target)
            return
        exif = image.getexif()
        exif.pop(_GPS, None)
        animated = bool(getattr(image, "is_animated", False))
        options: dict[str, object] = {"exif": exif.tobytes()}
        if image.format == "WEBP":
            options["quality"] = 95
        image.save(target, format=image.format, save_all=animated, **options)


def _has_location(image: Image.Image, exif: Image.Exif) -> bool:
    if exif.get_ifd(_GPS) or _GPS in exif:
        return True
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    return b"GPS" in (xmp if isinstance(xmp, bytes) else str(xmp).encode())


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


def _animated_thumbnail(image: Image.Image, box: int) -> tuple[bytes, str]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= MAX_FRAMES:
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


def _strip_jpeg(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as out:
        if src.read(2) != b"\xff\xd8":
            raise NotAnImage()
        out.write(b"\xff\xd8")
        while True:
            marker = src.read(2)
            while len(marker) == 2 and marker[1] == 0xFF:  # fill bytes before a marker
                marker = b"\xff" + src.read(1)
            if len(marker) < 2 or marker[0] != 0xFF:
                raise NotAnImage()
            code = marker[1]
            if code in (_SOS, _EOI):
                # Entropy-coded data follows: copied as it is.
                out.write(marker)
                shutil.copyfileobj(src, out, 1024 * 1024)
                return
            if code == 0x01 or 0xD0 <= code <= 0xD7:
                out.write(marker)
                continue
            length = int.from_bytes(src.read(2), "big")
            payload = src.read(length - 2)
            if len(payload) != length - 2:
                raise NotAnImage()
            if code == _APP1 and payload.startswith(b"Exif\x00\x00"):
                exif = Image.Exif()
                exif.load(payload)
                exif.pop(_GPS, None)
                payload = exif.tobytes()
            elif (code == _APP1 and payload.startswith(_XMP_PREFIXES)) or code == _APP13:
                continue
            out.write(marker + (len(payload) + 2).to_bytes(2, "big") + payload)
