"""The file infrastructure without a server: tus header syntax, ranges, names, media
sniffing, signed links, upload locks, local storage and the location stripping of images."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.files import decoded, jpeg
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import FileKind, check_filename, check_new_upload
from tidings.files import images, location, tus
from tidings.files.http import content_disposition, etag_matches, parse_range, served_type
from tidings.files.links import LinkClaim, LinkSigner
from tidings.files.locks import UploadLocks
from tidings.files.media import container_kinds
from tidings.files.storage import LocalStorage, StorageError


def code_of(call: Callable[..., object], *args: object, **kwargs: object) -> ErrorCode:
    with pytest.raises(TidingsError) as raised:
        call(*args, **kwargs)
    return raised.value.code


def test_metadata_parsing() -> None:
    raw = "filename " + base64.b64encode("报告.pdf".encode()).decode() + ",is_confidential"
    assert tus.parse_metadata(raw) == {"filename": "报告.pdf", "is_confidential": ""}
    assert tus.parse_metadata(None) == {}
    for bad in ("filename !!!", "a b c", "k dg==,k dg==", "x" * 5000):
        assert code_of(tus.parse_metadata, bad) is ErrorCode.INVALID_INPUT


def test_concat_parsing() -> None:
    assert tus.parse_concat(None, prefix="/files/") is None
    assert tus.parse_concat(" partial ", prefix="/files/") == tus.Concat(partial=True)
    final = tus.parse_concat("final;/files/a https://h.example/files/b?x=1", prefix="/files/")
    assert final == tus.Concat(partial=False, part_ids=("a", "b"))
    for bad in (
        "final",
        "final;",
        "partial;x",
        "final;/files/",
        "final;/files/a/b",
        "final;/api/v1/files/a",
        "final;" + " ".join(["/files/a"] * 101),
        "final;/files/" + "a" * 9000,
    ):
        assert code_of(tus.parse_concat, bad, prefix="/files/") is ErrorCode.INVALID_INPUT


def test_checksum_and_numbers() -> None:
    digest = hashlib.sha1(b"abc").digest()
    parsed = tus.parse_checksum("sha1 " + base64.b64encode(digest).decode())
    assert parsed is not None and parsed.algorithm == "sha1" and parsed.digest == digest
    hasher = parsed.hasher()
    hasher.update(b"abc")
    assert hasher.digest() == digest
    assert code_of(tus.parse_checksum, "crc32 AAAA") is ErrorCode.UNSUPPORTED_CHECKSUM
    assert code_of(tus.parse_checksum, "sha1") is ErrorCode.INVALID_INPUT
    assert tus.non_negative({"upload-offset": "42"}, "Upload-Offset") == 42
    for bad in ("-1", "1e3", "", "٣", "9" * 20):
        assert code_of(tus.non_negative, {"upload-offset": bad}, "Upload-Offset") is (
            ErrorCode.INVALID_INPUT
        )
    assert code_of(tus.check_version, {}) is ErrorCode.TUS_VERSION_UNSUPPORTED
    assert code_of(tus.check_version, {"tus-resumable": "0.2.2"}) is (
        ErrorCode.TUS_VERSION_UNSUPPORTED
    )
    tus.check_offset_content_type({"content-type": "application/offset+octet-stream"})
    assert code_of(tus.check_offset_content_type, {"content-type": "text/plain"}) is (
        ErrorCode.UNSUPPORTED_MEDIA_TYPE
    )


def test_ranges() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 10)
    assert parse_range("bytes=90-", 100) == (90, 100)
    assert parse_range("bytes=-5", 100) == (95, 100)
    assert parse_range("bytes=-500", 100) == (0, 100)
    assert parse_range("bytes=10-5000", 100) == (10, 100)
    assert parse_range("bytes=0-1,5-6", 100) is None, "several ranges: the whole file"
    assert parse_range("items=0-1", 100) is None
    assert parse_range("bytes=x-y", 100) is None
    assert code_of(parse_range, "bytes=100-", 100) is ErrorCode.RANGE_NOT_SATISFIABLE
    assert code_of(parse_range, "bytes=-0", 100) is ErrorCode.RANGE_NOT_SATISFIABLE
    assert etag_matches('"a", W/"b"', '"b"') and etag_matches("*", '"z"')
    assert not etag_matches(None, '"a"') and not etag_matches('"a"', '"b"')


def test_served_types_and_disposition() -> None:
    assert served_type("image/png") == "image/png"
    assert served_type("text/html") == "application/octet-stream"
    assert served_type("image/svg+xml") == "application/octet-stream", "SVG can run script"
    header = content_disposition('a"b;c\\d é.txt', inline=False)
    assert header == (
        "attachment; filename=\"a_b_c_d _.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd%20%C3%A9.txt"
    )
    assert content_disposition("x.png", inline=True).startswith("inline;")


def test_filenames() -> None:
    assert check_filename("Quarterly report (final).pdf") == "Quarterly report (final).pdf"
    assert check_filename("e\u0301.txt") == "\u00e9.txt", "NFC-normalised"
    for bad in ("", "  ", ".", "..", "a/b", "a\\b", "a\x00b", "a\tb", "a\u202eb", "x" * 256):
        assert code_of(check_filename, bad) is ErrorCode.INVALID_INPUT, repr(bad)


def test_new_upload_rules() -> None:
    new = check_new_upload(10, {"filename": "v.ogg", "filetype": "Audio/Ogg"}, max_size=10)
    assert (new.kind, new.mime) == (FileKind.VOICE, "audio/ogg")
    assert check_new_upload(1, {"type": "image/png"}, max_size=9).kind is FileKind.IMAGE
    assert check_new_upload(1, {}, max_size=9).name == "file"
    assert code_of(check_new_upload, 11, {}, max_size=10) is ErrorCode.FILE_TOO_LARGE
    for metadata in (
        {"expiry_days": "0"},
        {"expiry_days": "8"},
        {"duration_ms": "abc"},
        {"filetype": "audio/ogg", "duration_ms": "600001"},
        {"width": "0"},
        {"filetype": "text/html; charset=utf-8"},
    ):
        assert code_of(check_new_upload, 1, metadata, max_size=10) is ErrorCode.INVALID_INPUT, (
            metadata
        )


def test_media_sniffing() -> None:
    assert container_kinds(b"\x00\x00\x00\x18ftypmp42") == {FileKind.VOICE, FileKind.VIDEO}
    assert container_kinds(b"OggS\x00") == {FileKind.VOICE, FileKind.VIDEO}
    assert container_kinds(b"RIFF\x00\x00\x00\x00WAVEfmt ") == {FileKind.VOICE}
    assert container_kinds(b"ID3\x04") == {FileKind.VOICE}
    assert container_kinds(b"#!AMR\n") == {FileKind.VOICE}
    assert container_kinds(b"%PDF-1.7") == frozenset()
    assert container_kinds(b"") == frozenset()


def test_signed_links() -> None:
    signer = LinkSigner(b"k" * 32)
    claim = LinkClaim("abc", "thumbnail", 7, 2_000_000_000)
    url = signer.url(claim)
    assert url.startswith("/files/abc/thumbnail?sid=7&exp=2000000000&sig=")
    signature = url.rsplit("sig=", 1)[1]
    assert signer.verify(claim, signature)
    for other in (
        LinkClaim("abd", "thumbnail", 7, 2_000_000_000),
        LinkClaim("abc", "original", 7, 2_000_000_000),
        LinkClaim("abc", "thumbnail", 8, 2_000_000_000),
        LinkClaim("abc", "thumbnail", 7, 2_000_000_001),
    ):
        assert not signer.verify(other, signature)
    assert not LinkSigner(b"other").verify(claim, signature)


async def test_upload_locks_admit_one_writer() -> None:
    locks = UploadLocks()
    async with locks.hold("u", wait=1) as first:
        assert first
        async with locks.hold("u", wait=0.05) as second:
            assert not second, "a second writer waits, then gives up"
        async with locks.hold("v", wait=0.05) as other:
            assert other, "other uploads are not blocked"
    async with locks.hold("u", wait=0.05) as again:
        assert again
    assert locks._locks == {}, "no lock outlives its users"


async def test_local_storage_appends_checkpoints_and_rolls_back(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    hasher = hashlib.sha256()
    sink = await storage.append("file1", 0, hasher)
    await sink.write(b"a" * 3000)
    await sink.checkpoint()
    assert sink.durable == 3000
    await sink.write(b"b" * 2_000_000)
    await sink.rollback()
    assert sink.position == 3000
    await sink.write(b"c" * 10)
    await sink.checkpoint()
    await sink.close()
    assert (await storage.size("file1")) == 3010
    chunks = [c async for c in storage.read("file1", 2990, 3010)]
    assert b"".join(chunks) == b"a" * 10 + b"c" * 10
    # Bytes past the acknowledged offset (a request cut off by a crash) are dropped.
    sink = await storage.append("file1", 3005)
    await sink.close()
    assert (await storage.size("file1")) == 3005
    with pytest.raises(StorageError):
        await storage.append("file1", 9999)
    await storage.delete("file1")
    await storage.delete("file1")
    assert await storage.size("file1") is None


def test_storage_keys_cannot_escape(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    for key in ("../x", "a/b", "..", "", ".hidden", "a.b.c", "x" * 65, "a\x00b", "a.THUMB"):
        with pytest.raises(ValueError):
            storage.path(key)
    assert storage.path("abc.thumb").parent.parent == (tmp_path / "files").resolve()


def test_location_is_stripped_losslessly(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jpg", tmp_path / "out.jpg"
    source.write_bytes(jpeg(50, 20, orientation=8, gps=True))
    analysis = images.analyze(source, box=16, max_pixels=10**6, max_decode_pixels=10**6)
    assert (analysis.width, analysis.height) == (20, 50)
    assert decoded(analysis.thumbnail).size == (6, 16)
    location.write_without(source, target, location.find(source))
    stripped = decoded(target.read_bytes())
    assert stripped.getexif().get(0x0112) == 8 and not stripped.getexif().get_ifd(0x8825)
    assert stripped.tobytes() == decoded(source.read_bytes()).tobytes()


def test_images_that_are_not_or_too_big(tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(images.NotAnImage):
        images.analyze(fake, box=16, max_pixels=10**6, max_decode_pixels=10**6)
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(jpeg(300, 300)[:400])
    with pytest.raises(images.NotAnImage):
        images.analyze(truncated, box=16, max_pixels=10**6, max_decode_pixels=10**6)
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg(300, 300))
    with pytest.raises(images.TooLarge):
        images.analyze(big, box=16, max_pixels=300 * 299, max_decode_pixels=10**6)


def test_run_async_helpers_in_a_loop() -> None:
    """The async tests above share the session loop; this one proves a fresh loop works."""
    assert asyncio.run(asyncio.sleep(0, result=1)) == 1
