"""Files made byte by byte for the hardening tests: image bombs of a few bytes, and photos
whose location hides where a careless stripper would not look. Plus readers that parse what
a downloader gets, independently of the server's code."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
import zlib

from PIL import Image, PngImagePlugin

GPS = 0x8825
# 52°31'12" N 13°24'18" E, as EXIF rationals: their bytes must not survive, in either order.
LATITUDE = (52.0, 31.0, 12.0)
LONGITUDE = (13.0, 24.0, 18.0)
XMP_WITH_GPS = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
    b'exif:GPSLatitude="52,31.2N" exif:GPSLongitude="13,24.3E" photoshop:Headline="Trip">'
    b"<photoshop:City>Berlin</photoshop:City>"
    b"<exif:GPSAltitude>34/1</exif:GPSAltitude>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def rational_bytes() -> list[bytes]:
    """The latitude as stored: big- and little-endian numerator/denominator pairs."""
    values = [int(v) for v in LATITUDE]
    return [b"".join(struct.pack(order + "II", v, 1) for v in values) for order in (">", "<")]


def exif_with_gps(orientation: int | None = None) -> bytes:
    """``Exif\\0\\0`` + TIFF, with a GPS IFD."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[GPS] = {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE}
    return exif.tobytes()


def gif_bomb(width: int, height: int, frames: int) -> bytes:
    """An animated GIF of a ``width`` x ``height`` screen and ``frames`` 1-pixel frames: a
    few bytes a frame, the whole canvas to compose for each."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0))
    out += b"\x00\x00\x00\xff\xff\xff"  # two-colour global table
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    for index in range(frames):
        out += b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # 10 ms a frame
        out += b"\x2c" + struct.pack("<HHHHB", index % width, 0, 1, 1, 0)
        out += b"\x02\x02\x44\x01\x00"  # one pixel of LZW data
    return bytes(out + b"\x3b")


def apng_bomb(width: int, height: int, frames: int) -> bytes:
    """An APNG: a blank ``width`` x ``height`` first frame (zeros compress 1000:1), then
    ``frames`` - 1 frames of one pixel, each composed on the whole canvas."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    def fctl(sequence: int, w: int, h: int, x: int) -> bytes:
        return chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, w, h, x, 0, 1, 100, 0, 0))

    out = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    )
    out += chunk(b"acTL", struct.pack(">II", frames, 0))
    out += fctl(0, width, height, 0)
    out += chunk(b"IDAT", zlib.compress(bytes((width + 1) * height), 9))
    sequence = 1
    for index in range(1, frames):
        out += fctl(sequence, 1, 1, index % width)
        out += chunk(b"fdAT", struct.pack(">I", sequence + 1) + zlib.compress(b"\x00\x80"))
        sequence += 2
    return out + chunk(b"IEND", b"")


def jpeg_with_second_exif() -> bytes:
    """A JPEG whose first APP1 Exif has only an orientation and whose second holds the GPS."""
    first = Image.Exif()
    first[0x0112] = 1
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (20, 90, 200)).save(out, "JPEG", exif=first.tobytes())
    data = out.getvalue()
    app1 = data.index(b"\xff\xe1")
    after_first = app1 + 2 + struct.unpack(">H", data[app1 + 2 : app1 + 4])[0]
    second = exif_with_gps()
    segment = b"\xff\xe1" + struct.pack(">H", len(second) + 2) + second
    return data[:after_first] + segment + data[after_first:]


def jpeg_with_xmp_and_gps(width: int = 48, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 200)).save(
        out, "JPEG", exif=exif_with_gps(), xmp=XMP_WITH_GPS
    )
    return out.getvalue()


def huge_jpeg_with_gps(width: int = 10_000, height: int = 6_000) -> bytes:
    """A small JPEG whose frame header claims ``width`` x ``height`` (60 MP by default): over
    the decoding limit, so only a stripper that never decodes can clean it."""
    data = bytearray(jpeg_with_xmp_and_gps())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_with_location() -> bytes:
    """eXIf with GPS, ImageMagick's raw EXIF profile in zTXt, and XMP in iTXt."""
    info = PngImagePlugin.PngInfo()
    raw = exif_with_gps()
    info.add_text("Raw profile type exif", f"\nexif\n{len(raw)}\n{raw.hex()}\n", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP_WITH_GPS.decode())
    info.add_text("Comment", "kept")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 255)).save(out, "PNG", pnginfo=info, exif=exif_with_gps())
    return out.getvalue()


def webp_with_location() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 255)).save(
        out, "WEBP", exif=exif_with_gps(orientation=3), xmp=XMP_WITH_GPS
    )
    return out.getvalue()


def heic_like_with_location() -> tuple[bytes, int, int]:
    """A minimal ISOBMFF ('heic' brand) file: ``meta`` with ``iinf`` naming an Exif item and
    ``iloc`` placing it in ``mdat``, after some stand-in image data. Returns the file and
    where its Exif item's TIFF header starts and ends."""

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    def full_box(kind: bytes, version: int, body: bytes) -> bytes:
        return box(kind, bytes([version, 0, 0, 0]) + body)

    exif = exif_with_gps(orientation=6)  # "Exif\0\0" + TIFF
    item = struct.pack(">I", 6) + exif  # exif_tiff_header_offset: past "Exif\0\0"
    image_data = b"\x00\x11\x22\x33" * 64
    ftyp = box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    hdlr = full_box(b"hdlr", 0, b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
    infe_image = full_box(b"infe", 2, struct.pack(">HH", 1, 0) + b"hvc1" + b"\x00")
    infe_exif = full_box(b"infe", 2, struct.pack(">HH", 2, 0) + b"Exif" + b"\x00")
    iinf = full_box(b"iinf", 0, struct.pack(">H", 2) + infe_image + infe_exif)

    def iloc(mdat_data: int) -> bytes:
        # version 0, 4-byte offsets and lengths, no base offset
        entries = struct.pack(">HHHII", 1, 0, 1, mdat_data, len(image_data))
        entries += struct.pack(">HHHII", 2, 0, 1, mdat_data + len(image_data), len(item))
        return full_box(b"iloc", 0, bytes([0x44, 0x00]) + struct.pack(">H", 2) + entries)

    def meta(mdat_data: int) -> bytes:
        return full_box(b"meta", 0, hdlr + iinf + iloc(mdat_data))

    mdat_data = len(ftyp) + len(meta(0)) + 8
    data = ftyp + meta(mdat_data) + box(b"mdat", image_data + item)
    tiff_at = mdat_data + len(image_data) + 4 + 6
    return data, tiff_at, mdat_data + len(image_data) + len(item)


# Readers of what a downloader gets


def jpeg_exif_segments(data: bytes) -> list[Image.Exif]:
    """Every APP1 Exif segment of a JPEG, parsed by Pillow."""
    found = []
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        code = data[position + 1]
        if code == 0xDA:
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        payload = data[position + 4 : position + 2 + length]
        if code == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            exif = Image.Exif()
            exif.load(payload)
            found.append(exif)
        position += 2 + length
    return found


def jpeg_xmp(data: bytes) -> bytes:
    """The XMP packet of a JPEG, read from its segments (Pillow refuses to open a JPEG that
    claims 60 megapixels)."""
    prefix = b"http://ns.adobe.com/xap/1.0/\x00"
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        payload = data[position + 4 : position + 2 + length]
        if data[position + 1] == 0xE1 and payload.startswith(prefix):
            return payload[len(prefix) :]
        position += 2 + length
    raise AssertionError("no XMP segment")


def has_gps(exif: Image.Exif) -> bool:
    return GPS in exif or bool(exif.get_ifd(GPS))


def xmp_places(packet: bytes | str) -> list[str]:
    """The location properties left in an XMP packet, which must still parse as XML."""
    text = packet.encode() if isinstance(packet, str) else packet
    start, end = text.index(b"<x:xmpmeta"), text.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    root = ET.fromstring(text[start:end])
    names = [element.tag for element in root.iter()]
    names += [name for element in root.iter() for name in element.attrib]
    return [name for name in names if "GPS" in name or name.endswith("}City")]
