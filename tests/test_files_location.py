"""files/location.py and files/image_probe.py without a server: the container walks on
crafted and broken files (the server-level checks are in test_files_hardening.py)."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.support.crafted_media import (
    apng_bomb,
    exif_with_gps,
    gif_bomb,
    has_gps,
    heic_like_with_location,
    jpeg_exif_segments,
    jpeg_with_second_exif,
    jpeg_with_xmp_and_gps,
    png_with_location,
    rational_bytes,
    webp_with_location,
)
from tidings.files import image_probe, location


def stripped(tmp_path: Path, data: bytes) -> bytes:
    source, target = tmp_path / "in", tmp_path / "out"
    source.write_bytes(data)
    location.write_without(source, target, location.find(source))
    return target.read_bytes()


def test_every_picture_of_a_multi_picture_jpeg(tmp_path: Path) -> None:
    """An MPO (or a JPEG with a second picture after the first one's end) carries an Exif
    block per picture: each loses its GPS."""
    first, second = jpeg_with_xmp_and_gps(), jpeg_with_second_exif()
    out = stripped(tmp_path, first + second)
    tail = out[len(first) - 2 :]  # the second picture, from its SOI
    assert tail.startswith(b"\xff\xd9\xff\xd8")
    assert not any(has_gps(exif) for exif in jpeg_exif_segments(out))
    assert not any(has_gps(exif) for exif in jpeg_exif_segments(tail[2:]))
    assert not any(r in out for r in rational_bytes())


def test_progressive_jpeg_keeps_its_pixels(tmp_path: Path) -> None:
    image = Image.effect_noise((64, 48), 40).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", progressive=True, exif=exif_with_gps(orientation=6))
    data = out.getvalue()
    clean = stripped(tmp_path, data)
    assert len(clean) == len(data)
    after = Image.open(io.BytesIO(clean))
    assert not has_gps(after.getexif()) and after.getexif().get(0x0112) == 6
    assert after.tobytes() == Image.open(io.BytesIO(data)).tobytes()


@pytest.mark.parametrize("order", ["<", ">"])
def test_gps_ifd_unlinked_in_either_byte_order(order: str) -> None:
    tiff = _tiff_with_gps(order)
    blanked = location.blank_gps(tiff)
    assert blanked is not None and len(blanked) == len(tiff)
    exif = Image.Exif()
    exif.load(b"Exif\x00\x00" + blanked)
    assert not has_gps(exif) and exif[0x0112] == 3 and exif[0x010F] == "Cam"
    assert struct.pack(order + "II", 52, 1) not in blanked, "the values are zeroed"
    assert location.blank_gps(blanked) is None, "nothing left to remove"


def _tiff_with_gps(order: str) -> bytes:
    """IFD0: Make, Orientation, GPS pointer; GPS IFD: latitude ref and latitude."""

    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack(order + "HHI", tag, kind, count) + value.ljust(4, b"\x00")

    gps_at = 8 + 2 + 3 * 12 + 4
    values_at = gps_at + 2 + 2 * 12 + 4
    ifd0 = struct.pack(order + "H", 3)
    ifd0 += entry(0x010F, 2, 4, b"Cam\x00")
    ifd0 += entry(0x0112, 3, 1, struct.pack(order + "H", 3))
    ifd0 += entry(0x8825, 4, 1, struct.pack(order + "I", gps_at))
    ifd0 += struct.pack(order + "I", 0)
    gps = struct.pack(order + "H", 2)
    gps += entry(1, 2, 2, b"N\x00")
    gps += entry(2, 5, 3, struct.pack(order + "I", values_at))
    gps += struct.pack(order + "I", 0)
    values = b"".join(struct.pack(order + "II", v, 1) for v in (52, 31, 12))
    head = (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, 8)
    return head + ifd0 + gps + values


SAMPLES = [
    jpeg_with_second_exif(),
    jpeg_with_xmp_and_gps(),
    png_with_location(),
    webp_with_location(),
    heic_like_with_location()[0],
]


@pytest.mark.parametrize("sample", range(len(SAMPLES)))
def test_broken_files_never_crash_the_walk(tmp_path: Path, sample: int) -> None:
    """Truncated or corrupted anywhere: the walk returns what it found so far, never fails."""
    data = SAMPLES[sample]
    rng = random.Random(sample)
    source, target = tmp_path / "in", tmp_path / "out"
    for cut in range(0, len(data), max(1, len(data) // 60)):
        for candidate in (data[:cut], _flip(data, rng)):
            source.write_bytes(candidate)
            location.write_without(source, target, location.find(source))
            assert target.stat().st_size <= len(candidate)


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(4):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def test_probe_measures_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "x"

    def probe(data: bytes) -> image_probe.Probe:
        path.write_bytes(data)
        return image_probe.probe(path, frame_limit=300)

    assert probe(gif_bomb(7000, 7000, 100)) == image_probe.Probe("GIF", 7000, 7000, 100)
    assert probe(gif_bomb(7000, 7000, 1000)).frames == 301, "counting stops past the limit"
    assert probe(apng_bomb(3000, 2000, 50)) == image_probe.Probe("PNG", 3000, 2000, 50)
    # A frame past the logical screen grows the canvas (Pillow does the same).
    grown = bytearray(gif_bomb(10, 10, 1))
    at = grown.index(b"\x2c")
    grown[at + 5 : at + 9] = struct.pack("<HH", 5000, 4000)
    canvas = probe(bytes(grown))
    assert (canvas.width, canvas.height) == (5000, 4000)
    frames = [Image.new("RGB", (120, 80), (i * 40, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=50)
    assert probe(out.getvalue()) == image_probe.Probe("WEBP", 120, 80, 3)
    for fmt, mode in (("WEBP", "RGB"), ("WEBP", "RGBA"), ("JPEG", "RGB"), ("BMP", "RGB")):
        out = io.BytesIO()
        Image.new(mode, (321, 123)).save(out, fmt, **({"lossless": True} if mode == "RGBA" else {}))
        measured = probe(out.getvalue())
        assert (measured.format, measured.width, measured.height, measured.frames) == (
            fmt,
            321,
            123,
            1,
        )
    with pytest.raises(image_probe.Unrecognised):
        probe(b"GIF89a")
    with pytest.raises(image_probe.Unrecognised):
        probe(b"not an image at all")
