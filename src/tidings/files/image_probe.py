"""What decoding an image would cost, read from its headers alone.

Decoding an animated image costs its canvas for every frame: Pillow composes each GIF frame on
a canvas of the logical screen's size, however small the frame. A 2 KB GIF with a 7000 x 7000
screen and a hundred 1-pixel frames took 25 s of CPU and 600 MB. So before Pillow sees an
image, this module walks its container (JPEG segments, PNG chunks, GIF blocks, RIFF chunks,
the BMP header) without decompressing anything, and says how big the canvas is and how many
frames there are, counting no further than the caller's limit.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class Probe:
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP, BMP
    width: int
    height: int
    # Frames found, at most the caller's ``frame_limit`` + 1.
    frames: int

    def decode_pixels(self, frame_limit: int) -> int:
        """Pixels decoded to show the image and make a thumbnail of up to ``frame_limit``
        frames: the whole canvas for each frame."""
        return self.width * self.height * min(self.frames, frame_limit)


class Unrecognised(Exception):
    """Not a JPEG, PNG, GIF, WebP or BMP, or headers too broken to measure."""


def probe(path: Path, *, frame_limit: int) -> Probe:
    with open(path, "rb") as handle:
        head = handle.read(32)
        handle.seek(0)
        try:
            if head.startswith(b"\xff\xd8"):
                return _jpeg(handle)
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return _png(handle)
            if head.startswith((b"GIF87a", b"GIF89a")):
                return _gif(handle, frame_limit)
            if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
                return _webp(handle, frame_limit)
            if head.startswith(b"BM"):
                return _bmp(head)
        except (struct.error, ValueError, EOFError):
            raise Unrecognised() from None
    raise Unrecognised()


def _read(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise EOFError()
    return data


def _jpeg(handle: BinaryIO) -> Probe:
    handle.seek(2)
    while True:
        marker = _read(handle, 2)
        while marker[1] == 0xFF:  # fill bytes
            marker = marker[1:] + _read(handle, 1)
        if marker[0] != 0xFF:
            raise ValueError("not a marker")
        code = marker[1]
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            continue
        if code in (0xD9, 0xDA):
            raise ValueError("no frame header before the scan")
        length = struct.unpack(">H", _read(handle, 2))[0]
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            _precision, height, width = struct.unpack(">BHH", _read(handle, 5))
            return Probe("JPEG", width, height, 1)
        handle.seek(length - 2, 1)


def _png(handle: BinaryIO) -> Probe:
    handle.seek(8)
    width = height = 0
    frames = 1
    while True:
        length, kind = struct.unpack(">I4s", _read(handle, 8))
        if kind == b"IHDR":
            width, height = struct.unpack(">II", _read(handle, 8))
            handle.seek(length - 8 + 4, 1)
        elif kind == b"acTL":  # APNG: the frame count comes before the first image data
            frames = max(1, struct.unpack(">I", _read(handle, 4))[0])
            handle.seek(length - 4 + 4, 1)
        elif kind in (b"IDAT", b"IEND"):
            if not width:
                raise ValueError("no IHDR")
            return Probe("PNG", width, height, frames)
        else:
            handle.seek(length + 4, 1)


def _gif(handle: BinaryIO, frame_limit: int) -> Probe:
    handle.seek(6)
    width, height, flags = struct.unpack("<HHB", _read(handle, 5))
    _read(handle, 2)
    if flags & 0x80:
        _read(handle, 3 << ((flags & 7) + 1))
    frames = 0
    while frames <= frame_limit:
        introducer = handle.read(1)
        if introducer in (b"", b"\x3b"):
            break
        if introducer == b"\x2c":
            left, top, frame_width, frame_height, frame_flags = struct.unpack(
                "<HHHHB", _read(handle, 9)
            )
            # Pillow grows the canvas to hold a frame that goes past the logical screen.
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            if frame_flags & 0x80:
                _read(handle, 3 << ((frame_flags & 7) + 1))
            _read(handle, 1)  # LZW minimum code size
            _skip_sub_blocks(handle)
            frames += 1
        elif introducer == b"\x21":
            _read(handle, 1)  # extension label
            _skip_sub_blocks(handle)
        else:
            break  # trailing garbage: Pillow stops here too
    if frames == 0:
        raise ValueError("no image in this GIF")
    return Probe("GIF", width, height, frames)


def _skip_sub_blocks(handle: BinaryIO) -> None:
    while True:
        size = _read(handle, 1)[0]
        if size == 0:
            return
        handle.seek(size, 1)


def _webp(handle: BinaryIO, frame_limit: int) -> Probe:
    handle.seek(12)
    kind, length = struct.unpack("<4sI", _read(handle, 8))
    data = _read(handle, min(length, 30))
    if kind == b"VP8 ":
        if data[3:6] != b"\x9d\x01\x2a":
            raise ValueError("not a VP8 key frame")
        width, height = struct.unpack("<HH", data[6:10])
        return Probe("WEBP", width & 0x3FFF, height & 0x3FFF, 1)
    if kind == b"VP8L":
        if data[0] != 0x2F:
            raise ValueError("not a VP8L image")
        bits = int.from_bytes(data[1:5], "little")
        return Probe("WEBP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, 1)
    if kind != b"VP8X":
        raise ValueError("unknown WebP chunk")
    animated = bool(data[0] & 0x02)
    width = int.from_bytes(data[4:7], "little") + 1
    height = int.from_bytes(data[7:10], "little") + 1
    if not animated:
        return Probe("WEBP", width, height, 1)
    handle.seek(20 + length + (length & 1))
    frames = 0
    while frames <= frame_limit:
        header = handle.read(8)
        if len(header) < 8:
            break
        kind, length = struct.unpack("<4sI", header)
        frames += kind == b"ANMF"
        handle.seek(length + (length & 1), 1)
    return Probe("WEBP", width, height, max(frames, 1))


def _bmp(head: bytes) -> Probe:
    header_size = struct.unpack("<I", head[14:18])[0]
    if header_size == 12:
        width, height = struct.unpack("<HH", head[18:22])
    else:
        width, height = struct.unpack("<ii", head[18:26])
    return Probe("BMP", abs(width), abs(height), 1)
