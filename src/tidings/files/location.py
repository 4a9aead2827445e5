"""Where a photo was taken, removed from a file's bytes without decoding any pixels.

Every uploaded file goes through ``find``, whatever its size and whatever type its uploader
declared: the container is recognised from its bytes. The answer is a list of edits; when it
is not empty, others download a copy written by ``write_without`` (the uploader keeps the
original). Nothing is decoded or re-encoded, so this costs a walk over the container's
headers and, when something is found, one streamed copy.

- JPEG: every APP1 Exif segment (however many, and in every image of the file: an MPO or a
  JPEG with a second picture after the first one's end) has its GPS IFD blanked; XMP packets
  have their location properties blanked; extended XMP and Photoshop/IPTC (APP13) segments,
  which may hold the same, are dropped.
- PNG: ``eXIf`` has its GPS IFD blanked (CRC recomputed); ImageMagick's raw profiles in
  ``tEXt``/``zTXt``/``iTXt`` are dropped; XMP in ``iTXt`` is blanked, or dropped if compressed.
- WebP: the RIFF ``EXIF`` and ``XMP `` chunks are blanked in place.
- HEIC, AVIF and other ISOBMFF images: the ``Exif`` and XMP items found through
  ``meta``/``iinf``/``iloc`` are blanked in place.

"Blanked" means overwritten by as many zero bytes (EXIF) or spaces (XMP): every offset in the
file stays valid (ISOBMFF's ``iloc`` and RIFF sizes point across the whole file). The GPS
IFD is unlinked from the EXIF and its bytes, values included, are zeroed.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1024 * 1024
# Metadata read into memory to be edited: far above any real EXIF or XMP block.
_MAX_METADATA = 16 * 1024 * 1024
_GPS_IFD_TAG = 0x8825
# Bytes per value of each TIFF field type (1 BYTE ... 13 IFD).
_TIFF_TYPE_SIZES = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
}
_XMP_MAIN = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
# XMP properties that say where: exif:GPSLatitude and its kin under any prefix, and the
# IPTC and Photoshop place names.
_XMP_PLACE = rb"[A-Za-z][\w.-]*:(?:GPS\w*|Location\w*|City|State|Country|CountryCode|Sublocation)"
_XMP_ATTRIBUTE = re.compile(rb"\s" + _XMP_PLACE + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_XMP_ELEMENT = re.compile(rb"<(" + _XMP_PLACE + rb")\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)
# In JPEG entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; any
# other byte after it starts a marker.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``length`` bytes at ``offset`` by ``replacement`` (same length, or shorter
    where the format has no absolute offsets: a dropped JPEG segment or PNG chunk)."""

    offset: int
    length: int
    replacement: bytes


def find(path: Path) -> list[Edit]:
    """The edits that remove location metadata from the file, in file order; none if it has
    none or is of no format known to carry it."""
    with open(path, "rb") as handle:
        head = handle.read(16)
        if head.startswith(b"\xff\xd8\xff"):
            walk = _jpeg(handle)
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            walk = _png(handle)
        elif head.startswith(b"RIFF") and head[8:12] == b"WEBP":
            walk = _webp(handle)
        elif head[4:8] == b"ftyp":
            walk = _isobmff(handle)
        else:
            return []
        edits: list[Edit] = []
        try:
            for edit in walk:
                edits.append(edit)
        except (struct.error, ValueError, EOFError, IndexError):
            # A container broken past some point: what was found before it is still removed.
            pass
    return sorted(edits, key=lambda edit: edit.offset)


def write_without(source: Path, target: Path, edits: list[Edit]) -> None:
    """Stream ``source`` into ``target`` with ``edits`` applied."""
    with open(source, "rb") as src, open(target, "wb") as out:
        position = 0
        for edit in edits:
            _copy(src, out, edit.offset - position)
            out.write(edit.replacement)
            src.seek(edit.offset + edit.length)
            position = edit.offset + edit.length
        _copy(src, out, None)


def _copy(src: BinaryIO, out: BinaryIO, count: int | None) -> None:
    while count is None or count > 0:
        data = src.read(_CHUNK if count is None else min(_CHUNK, count))
        if not data:
            return
        out.write(data)
        if count is not None:
            count -= len(data)


def _read(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise EOFError()
    return data


# EXIF (a TIFF structure) and XMP, edited in memory


def blank_gps(tiff: bytes) -> bytes | None:
    """``tiff`` (same length) with its GPS IFD unlinked and zeroed, values included, or None
    if it has no GPS IFD."""
    if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    order = "<" if tiff[:2] == b"II" else ">"
    out = bytearray(tiff)

    def u16(at: int) -> int:
        return int(struct.unpack_from(order + "H", tiff, at)[0])

    def u32(at: int) -> int:
        return int(struct.unpack_from(order + "I", tiff, at)[0])

    found = False
    ifd = u32(4)
    seen: set[int] = set()
    while 8 <= ifd < len(tiff) - 2 and ifd not in seen and len(seen) < 4:
        seen.add(ifd)
        count = u16(ifd)
        entries_end = ifd + 2 + 12 * count
        if entries_end + 4 > len(tiff):
            break
        next_ifd = u32(entries_end)
        kept = []
        for index in range(count):
            entry = ifd + 2 + 12 * index
            if u16(entry) == _GPS_IFD_TAG:
                gps = u32(entry + 8)
                if 8 <= gps < len(tiff) - 2:
                    _zero_ifd(tiff, out, gps, order)
                found = True
            else:
                kept.append(tiff[entry : entry + 12])
        if len(kept) != count:
            # The pointer to the GPS IFD is unlinked: the IFD is rewritten in place with one
            # entry fewer, its next-IFD offset moved up and the freed bytes zeroed.
            rewritten = struct.pack(order + "H", len(kept)) + b"".join(kept)
            rewritten += struct.pack(order + "I", next_ifd)
            out[ifd : entries_end + 4] = rewritten.ljust(entries_end + 4 - ifd, b"\x00")
        ifd = next_ifd
    return bytes(out) if found else None


def _zero_ifd(tiff: bytes, out: bytearray, ifd: int, order: str) -> None:
    count = struct.unpack_from(order + "H", tiff, ifd)[0]
    for index in range(count):
        entry = ifd + 2 + 12 * index
        if entry + 12 > len(tiff):
            break
        kind, values, pointer = struct.unpack_from(order + "HII", tiff, entry + 2)
        size = _TIFF_TYPE_SIZES.get(kind, 1) * values
        if size > 4 and pointer < len(tiff):
            end = min(len(tiff), pointer + size)
            out[pointer:end] = bytes(end - pointer)
    end = min(len(tiff), ifd + 2 + 12 * count + 4)
    out[ifd:end] = bytes(end - ifd)  # no entries, no next IFD


def blank_xmp(packet: bytes) -> bytes | None:
    """``packet`` with its location properties overwritten by spaces, or None if it has none.
    The XML stays well-formed: whitespace between attributes or elements."""

    def spaces(match: re.Match[bytes]) -> bytes:
        return b" " * (match.end() - match.start())

    blanked = _XMP_ELEMENT.sub(spaces, _XMP_ATTRIBUTE.sub(spaces, packet))
    return blanked if blanked != packet else None


def _blank_exif_payload(data: bytes) -> bytes | None:
    """EXIF as stored in WebP, PNG or a HEIF item: a TIFF, sometimes after "Exif\\0\\0"."""
    prefix = 6 if data.startswith(b"Exif\x00\x00") else 0
    blanked = blank_gps(data[prefix:])
    return data[:prefix] + blanked if blanked is not None else None


# JPEG


def _jpeg(handle: BinaryIO) -> Iterator[Edit]:
    position = 2  # after SOI
    while True:
        handle.seek(position)
        marker = handle.read(2)
        if len(marker) < 2:
            return
        if marker[0] != 0xFF:
            raise ValueError("not a JPEG marker")
        code = marker[1]
        if code == 0xFF:  # fill byte
            position += 1
            continue
        if code == 0xD8 or code == 0x01 or 0xD0 <= code <= 0xD7:
            position += 2
            continue
        if code == 0xD9:  # end of this image; another may follow (MPO, extended JPEGs)
            following = _search(handle, position + 2, re.compile(rb"\xff\xd8\xff"))
            if following is None:
                return
            position = following + 2
            continue
        length = struct.unpack(">H", _read(handle, 2))[0]
        if length < 2:
            raise ValueError("bad JPEG segment length")
        segment_end = position + 2 + length
        if code == 0xE1 or code == 0xED:
            payload = _read(handle, min(length - 2, _MAX_METADATA))
            yield from _jpeg_app(code, payload, position, segment_end)
        if code == 0xDA:  # a scan: entropy-coded data up to the next marker
            following = _search(handle, segment_end, _JPEG_MARKER)
            if following is None:
                return
            position = following
            continue
        position = segment_end


def _jpeg_app(code: int, payload: bytes, start: int, end: int) -> Iterator[Edit]:
    data_at = start + 4
    if code == 0xED or payload.startswith(_XMP_EXTENSION):
        yield Edit(start, end - start, b"")  # dropped whole
    elif payload.startswith(b"Exif\x00\x00"):
        blanked = blank_gps(payload[6:])
        if blanked is not None:
            yield Edit(data_at + 6, len(blanked), blanked)
    elif payload.startswith(_XMP_MAIN):
        blanked = blank_xmp(payload[len(_XMP_MAIN) :])
        if blanked is not None:
            yield Edit(data_at + len(_XMP_MAIN), len(blanked), blanked)


def _search(handle: BinaryIO, start: int, pattern: re.Pattern[bytes]) -> int | None:
    """The offset of the first match of a two- or three-byte ``pattern`` at or after
    ``start``, reading the file a chunk at a time."""
    handle.seek(start)
    offset = start
    carry = b""
    while True:
        data = handle.read(_CHUNK)
        if not data:
            return None
        window = carry + data
        match = pattern.search(window)
        if match is not None:
            return offset - len(carry) + match.start()
        carry = window[-2:]
        offset += len(data)


# PNG


def _png(handle: BinaryIO) -> Iterator[Edit]:
    position = 8
    while True:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header)
        chunk_end = position + 12 + length
        if kind == b"IEND":
            return
        if kind in (b"eXIf", b"tEXt", b"zTXt", b"iTXt") and length <= _MAX_METADATA:
            data = _read(handle, length)
            replacement = _png_metadata(kind, data)
            if replacement is not None:
                yield Edit(position, chunk_end - position, replacement)
        position = chunk_end


def _png_metadata(kind: bytes, data: bytes) -> bytes | None:
    """The chunk that replaces this one (b"" to drop it), or None to keep it."""
    if kind == b"eXIf":
        blanked = _blank_exif_payload(data)
        return _png_chunk(kind, blanked) if blanked is not None else None
    keyword = data.split(b"\x00", 1)[0].lower()
    if keyword.startswith(b"raw profile type") or b"gps" in keyword or b"location" in keyword:
        return b""
    if kind == b"iTXt" and keyword == b"xml:com.adobe.xmp":
        # keyword NUL, compression flag, method, language NUL, translated keyword NUL, text
        flag_at = data.index(b"\x00") + 1
        if data[flag_at] != 0:
            return b""  # compressed XMP: dropped rather than inflated
        language_end = data.index(b"\x00", flag_at + 2)
        text_at = data.index(b"\x00", language_end + 1) + 1
        blanked = blank_xmp(data[text_at:])
        return _png_chunk(kind, data[:text_at] + blanked) if blanked is not None else None
    return None


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# WebP (RIFF)


def _webp(handle: BinaryIO) -> Iterator[Edit]:
    position = 12
    while True:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        kind, length = struct.unpack("<4sI", header)
        if kind in (b"EXIF", b"XMP ") and length <= _MAX_METADATA:
            data = _read(handle, length)
            blanked = _blank_exif_payload(data) if kind == b"EXIF" else blank_xmp(data)
            if blanked is not None:
                yield Edit(position + 8, length, blanked)
        position += 8 + length + (length & 1)


# ISOBMFF: HEIC, HEIF, AVIF


@dataclass(frozen=True, slots=True)
class _Box:
    kind: bytes
    start: int  # of the box
    body: int  # of its contents
    end: int


def _boxes(handle: BinaryIO, start: int, end: int | None) -> Iterator[_Box]:
    position = start
    while end is None or position + 8 <= end:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        body = position + 8
        if size == 1:
            size = struct.unpack(">Q", _read(handle, 8))[0]
            body += 8
        elif size == 0:  # to the end of the file
            handle.seek(0, 2)
            size = handle.tell() - position
        if size < body - position:
            raise ValueError("bad box size")
        yield _Box(kind, position, body, position + size)
        position += size


def _isobmff(handle: BinaryIO) -> Iterator[Edit]:
    for box in _boxes(handle, 0, None):
        if box.kind == b"meta":
            yield from _heif_meta(handle, box)


def _heif_meta(handle: BinaryIO, meta: _Box) -> Iterator[Edit]:
    # meta is a full box: version and flags before its children.
    children = {box.kind: box for box in _boxes(handle, meta.body + 4, meta.end)}
    if b"iinf" not in children or b"iloc" not in children:
        return
    wanted = _location_items(handle, children[b"iinf"])
    if not wanted:
        return
    idat = children.get(b"idat")
    for item_id, extents in _item_extents(handle, children[b"iloc"]):
        kind = wanted.get(item_id)
        if kind is None:
            continue
        if any(method == 1 for method, _, _ in extents) and idat is None:
            continue
        places = [
            (offset + (idat.body if method == 1 and idat is not None else 0), length)
            for method, offset, length in extents
        ]
        if sum(length for _, length in places) > _MAX_METADATA:
            continue
        data = b""
        for offset, length in places:
            handle.seek(offset)
            data += _read(handle, length)
        if kind == b"Exif":
            # ExifDataBlock: where the TIFF header starts, then the EXIF.
            tiff_at = 4 + struct.unpack(">I", data[:4])[0]
            blanked_tiff = blank_gps(data[tiff_at:])
            blanked = data[:tiff_at] + blanked_tiff if blanked_tiff is not None else None
        else:
            blanked = blank_xmp(data)
        if blanked is None:
            continue
        done = 0
        for offset, length in places:
            yield Edit(offset, length, blanked[done : done + length])
            done += length


def _location_items(handle: BinaryIO, iinf: _Box) -> dict[int, bytes]:
    """Item ids of the Exif and XMP items: ``{id: b"Exif" | b"mime"}``."""
    handle.seek(iinf.body)
    version = _read(handle, 4)[0]
    first = iinf.body + 4 + (2 if version == 0 else 4)
    items: dict[int, bytes] = {}
    for infe in _boxes(handle, first, iinf.end):
        if infe.kind != b"infe":
            continue
        handle.seek(infe.body)
        body = _read(handle, min(infe.end - infe.body, 512))
        version = body[0]
        if version < 2:
            continue
        id_size = 2 if version == 2 else 4
        item_id = int.from_bytes(body[4 : 4 + id_size], "big")
        item_type = body[4 + id_size + 2 : 4 + id_size + 6]
        if item_type == b"Exif":
            items[item_id] = item_type
        elif item_type == b"mime":
            content_type = body[4 + id_size + 6 :].split(b"\x00", 1)[0]
            if content_type == b"application/rdf+xml":
                items[item_id] = item_type
    return items


def _item_extents(handle: BinaryIO, iloc: _Box) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
    """(item id, [(construction method, offset, length), ...]) for each item."""
    handle.seek(iloc.body)
    data = _read(handle, min(iloc.end - iloc.body, _MAX_METADATA))
    version = data[0]
    offset_size, length_size = data[4] >> 4, data[4] & 15
    base_offset_size, index_size = data[5] >> 4, (data[5] & 15 if version in (1, 2) else 0)
    at = 6

    def number(size: int) -> int:
        nonlocal at
        value = int.from_bytes(data[at : at + size], "big") if size else 0
        if at + size > len(data):
            raise EOFError()
        at += size
        return value

    count = number(2 if version < 2 else 4)
    for _ in range(count):
        item_id = number(2 if version < 2 else 4)
        method = number(2) & 15 if version in (1, 2) else 0
        number(2)  # data reference index
        base = number(base_offset_size)
        extents = []
        for _ in range(number(2)):
            number(index_size)
            offset = number(offset_size)
            length = number(length_size)
            extents.append((method, base + offset, length))
        yield item_id, extents
