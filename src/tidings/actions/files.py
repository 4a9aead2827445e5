"""Uploading, reading and removing files (PRODUCT.md F1-F4).

Every rule about who may touch a file lives here: the uploader owns the upload; a reader is
the uploader, a member who can see an entry carrying the file, or a user who saved it. The
tus route and the download route only parse HTTP and call these methods.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tidings.actions.context import Actor
from tidings.actions.site_settings import SiteSettingsActions
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import (
    FileKind,
    FileState,
    NewUpload,
    StoredFile,
    Variant,
    check_new_upload,
    expiry_of,
)
from tidings.files import images, location, media
from tidings.files.http import OPAQUE_TYPE, served_type
from tidings.files.links import LinkClaim, LinkSigner
from tidings.files.locks import UploadLocks
from tidings.files.storage import Storage, UploadSink
from tidings.files.tus import Checksum
from tidings.store.files import FileStore, PartsTaken, QuotaExceeded
from tidings.workers import WorkerPool

_FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# A retry that arrives while the cut-off request still holds the upload waits this long for
# it to notice and commit, then gets 423.
_LOCK_WAIT_SECONDS = 10.0
_HEAD_WAIT_SECONDS = 2.0
_MAX_LINK_TTL_SECONDS = 24 * 3600
_SECRET_NAME = "file_links"  # noqa: S105 - the name of a secret, not one


class UploadInterrupted(Exception):
    """The client went away in the middle of a PATCH body."""


@dataclass(frozen=True, slots=True)
class Download:
    """What a GET serves: which stored object, how big, and how to label it."""

    file: StoredFile
    key: str
    size: int
    content_type: str
    etag: str
    inline: bool


def thumbnail_key(file_id: str) -> str:
    return f"{file_id}.thumb"


def shared_key(file_id: str) -> str:
    return f"{file_id}.shared"


class Files:
    def __init__(
        self,
        *,
        settings: Settings,
        store: FileStore,
        storage: Storage,
        site: SiteSettingsActions,
    ) -> None:
        self._settings = settings
        self._site = site
        self._store = store
        self._storage = storage
        self._locks = UploadLocks()
        self._signer: LinkSigner | None = None
        # Decoding images and stripping locations: a pool of its own, so that media work
        # never takes the threads file I/O and sign-ins use (asyncio's default executor).
        self._media = WorkerPool("media", settings.image_workers)
        images.use_pillow_limit(settings.image_max_pixels)

    async def start(self) -> None:
        secret = await self._store.signing_secret(_SECRET_NAME, secrets.token_urlsafe(48), now_ms())
        self._signer = LinkSigner(secret.encode())

    def stop(self) -> None:
        self._media.close()

    # Uploads (tus)

    async def do_create_upload(
        self,
        actor: Actor,
        *,
        length: int,
        metadata: dict[str, str],
        upload_metadata: str | None = None,
        partial: bool = False,
    ) -> StoredFile:
        """A new upload (tus creation); ``partial``: a piece of a parallel upload (tus
        concatenation), joined later by ``do_create_final``."""
        new = check_new_upload(length, metadata, max_size=self._site.max_file_bytes)
        if not partial:  # a part's type is the final upload's business
            await self._site.check_upload(actor, new.kind)
        upload = await self._create(
            actor, new, upload_metadata=upload_metadata, concat="partial" if partial else None
        )
        if upload.size == 0:
            await self._storage.put(upload.id, b"")
            return await self._complete(upload)
        return upload

    async def do_create_final(
        self,
        actor: Actor,
        *,
        part_ids: list[str],
        concat: str,
        metadata: dict[str, str],
        upload_metadata: str | None,
    ) -> StoredFile:
        """tus concatenation: a final upload made of the actor's finished partial uploads, in
        order. Its bytes are copied from them now, then the parts are removed; the quota
        counts the parts or the final upload, never both."""
        if not part_ids:
            raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Concat: final names no uploads")
        if len(set(part_ids)) != len(part_ids):
            raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Concat names an upload twice")
        async with contextlib.AsyncExitStack() as held:
            parts = []
            for part_id in part_ids:
                if not await held.enter_async_context(
                    self._locks.hold(part_id, wait=_LOCK_WAIT_SECONDS)
                ):
                    raise TidingsError(ErrorCode.UPLOAD_LOCKED, "another request is writing here")
                part = await self.access_upload(actor, part_id)
                if part.concat == "joining":  # another node's final upload has it
                    raise TidingsError(ErrorCode.NOT_FOUND, "no such upload")
                if part.concat != "partial":
                    raise TidingsError(
                        ErrorCode.INVALID_INPUT, "Upload-Concat: final names a non-partial upload"
                    )
                if not part.complete:
                    raise TidingsError(
                        ErrorCode.UPLOAD_INCOMPLETE, "a partial upload is not finished"
                    )
                parts.append(part)
            length = sum(part.size for part in parts)
            new = check_new_upload(length, metadata, max_size=self._site.max_file_bytes)
            await self._site.check_upload(actor, new.kind)
            try:
                final = await self._create(
                    actor,
                    new,
                    upload_metadata=upload_metadata,
                    concat=concat,
                    replacing=tuple(part_ids),
                )
            except PartsTaken:
                # Another node's final upload took a part first (this node's requests wait
                # on the locks above): as for a part that is gone.
                raise TidingsError(ErrorCode.NOT_FOUND, "no such upload") from None
            try:
                sink = await self._storage.append(final.id, 0)
                try:
                    for part in parts:
                        async for chunk in self._storage.read(part.id, 0, part.size):
                            await sink.write(chunk)
                    await self._commit(final, sink)
                finally:
                    await sink.close()
            except BaseException:
                await self.discard(final)
                await self._store.release_parts(tuple(part_ids), now_ms())
                raise
            for part in parts:
                if not await self._store.is_sent(part.id):
                    await self.discard(part)
        return await self._complete(dataclasses.replace(final, received=length))

    async def _create(
        self,
        actor: Actor,
        new: NewUpload,
        *,
        upload_metadata: str | None,
        concat: str | None,
        replacing: tuple[str, ...] = (),
    ) -> StoredFile:
        quota = self._settings.user_quota_bytes
        try:
            return await self._store.create(
                file_id=secrets.token_urlsafe(16),
                uploader_id=actor.user_id,
                new=new,
                quota=quota,
                now=now_ms(),
                upload_metadata=upload_metadata,
                concat=concat,
                replacing=replacing,
            )
        except QuotaExceeded as exc:
            raise TidingsError(
                ErrorCode.QUOTA_EXCEEDED,
                f"your files use {exc.used} of {quota} bytes; this one needs {new.size}",
            ) from None

    async def access_upload(self, actor: Actor, file_id: str) -> StoredFile:
        """The actor's own upload. Anyone else's is ``not_found``, exactly like an id that
        was never issued: upload ids are not probed through errors."""
        upload = await self._store.get(file_id) if _FILE_ID.match(file_id) else None
        if upload is None or upload.uploader_id != actor.user_id:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such upload")
        if upload.state is FileState.PURGED or self._abandoned(upload):
            raise TidingsError(ErrorCode.FILE_EXPIRED, "this upload has expired")
        return upload

    async def access_upload_offset(self, actor: Actor, file_id: str) -> StoredFile:
        """The upload for a tus HEAD. A PATCH cut off a moment ago may still be committing
        what it received; waiting for it briefly gives the client the offset to resume
        from rather than one about to become stale (409 on its next PATCH)."""
        async with self._locks.hold(file_id, wait=_HEAD_WAIT_SECONDS) as ours:
            upload = await self.access_upload(actor, file_id)
            if ours and upload.state is FileState.UPLOADING and upload.received == upload.size:
                # Every byte is in but a crash came before completion: a client seeing
                # offset == length sends nothing more, so finish the upload here.
                return await self._complete(upload)
            return upload

    def upload_expires_at(self, upload: StoredFile) -> int | None:
        """tus expiration: an unfinished upload lapses this long after its last byte, a
        partial upload as long after it finished if no final upload took it."""
        if upload.state is not FileState.UPLOADING and not (upload.partial and upload.complete):
            return None
        return upload.updated_at + self._settings.upload_abandon_after_seconds * 1000

    async def do_receive(
        self,
        actor: Actor,
        file_id: str,
        *,
        offset: int,
        length: int | None,
        chunks: AsyncIterator[bytes],
        checksum: Checksum | None,
    ) -> StoredFile:
        """Append a PATCH body at ``offset``. Without a checksum, whatever arrived before a
        cut-off is kept (and progress is made durable every ``upload_checkpoint_bytes``);
        with one, the body counts only if it arrived whole and matches."""
        async with self._locks.hold(file_id, wait=_LOCK_WAIT_SECONDS) as ours:
            if not ours:
                raise TidingsError(ErrorCode.UPLOAD_LOCKED, "another request is writing here")
            upload = await self.access_upload(actor, file_id)
            if upload.final or upload.concat == "joining":
                raise TidingsError(
                    ErrorCode.FORBIDDEN, "a final upload is made of its parts, not written to"
                )
            if offset != upload.received:
                raise TidingsError(
                    ErrorCode.UPLOAD_OFFSET_MISMATCH,
                    f"the upload is at offset {upload.received}, not {offset}",
                )
            if upload.complete:
                return upload
            if length is not None and offset + length > upload.size:
                raise TidingsError(ErrorCode.FILE_TOO_LARGE, "the body goes past Upload-Length")
            hasher = checksum.hasher() if checksum else None
            sink = await self._storage.append(upload.id, offset, hasher)
            try:
                interrupted = await self._take_body(upload, sink, chunks, checkpoints=not hasher)
                if checksum is not None and hasher is not None:
                    await sink.flush()
                    if interrupted or hasher.digest() != checksum.digest:
                        await sink.rollback()
                        if interrupted:
                            raise UploadInterrupted()
                        raise TidingsError(
                            ErrorCode.CHECKSUM_MISMATCH,
                            f"the body's {checksum.algorithm} differs from Upload-Checksum",
                        )
                received = await self._commit(upload, sink)
            except BaseException:
                await sink.rollback()
                raise
            finally:
                await sink.close()
            if interrupted:
                raise UploadInterrupted()
            upload = dataclasses.replace(upload, received=received, updated_at=now_ms())
            if received == upload.size:
                return await self._complete(upload)
            return upload

    async def do_terminate(self, actor: Actor, file_id: str) -> None:
        """tus termination: drop an upload (finished or not) that was never sent."""
        async with self._locks.hold(file_id, wait=_LOCK_WAIT_SECONDS) as ours:
            if not ours:
                raise TidingsError(ErrorCode.UPLOAD_LOCKED, "another request is writing here")
            upload = await self.access_upload(actor, file_id)
            if await self._store.is_sent(upload.id):
                raise TidingsError(
                    ErrorCode.FILE_IN_USE, "this file was sent; recall the message instead"
                )
            await self.discard(upload)

    async def discard(self, upload: StoredFile) -> None:
        """Remove an upload's bytes, then its record (a crash in between leaves a record
        whose bytes are gone, which the cleanup job removes again)."""
        for key in (upload.id, thumbnail_key(upload.id), shared_key(upload.id)):
            await self._storage.delete(key)
        await self._store.delete(upload.id)

    async def purge(self, file: StoredFile) -> None:
        """An expired file loses its bytes; its record stays to answer 410 Gone."""
        for key in (file.id, thumbnail_key(file.id), shared_key(file.id)):
            await self._storage.delete(key)
        await self._store.mark_purged(file.id, now_ms())

    async def do_discard_if_abandoned(self, upload: StoredFile) -> None:
        async with self._locks.hold(upload.id, wait=0.01) as ours:
            current = await self._store.get(upload.id) if ours else None
            if current is None or not self._abandoned(current):
                return
            if current.complete and await self._store.is_sent(current.id):
                return  # a finished partial upload someone sent as a file of its own
            await self.discard(current)

    # Reading

    async def access_file(
        self, user_id: int, file_id: str, *, allow_expired: bool = False
    ) -> StoredFile:
        """A complete file the user may read; ``not_found`` if they may not (whether or not
        it exists), ``upload_incomplete`` for their own unfinished upload, ``file_expired``
        once it expired."""
        file = await self._store.get(file_id) if _FILE_ID.match(file_id) else None
        if file is None or (
            file.uploader_id != user_id and not await self._store.may_read(user_id, file_id)
        ):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such file")
        if file.state is FileState.UPLOADING:
            raise TidingsError(ErrorCode.UPLOAD_INCOMPLETE, "this upload is not finished")
        if file.expired(now_ms()) and not allow_expired:
            raise TidingsError(ErrorCode.FILE_EXPIRED, "this file has expired")
        return file

    async def info(self, actor: Actor, file_id: str) -> StoredFile:
        return await self.access_file(actor.user_id, file_id, allow_expired=True)

    async def access_download(self, user_id: int, file_id: str, variant: Variant) -> Download:
        file = await self.access_file(user_id, file_id)
        if variant is Variant.THUMBNAIL:
            if file.thumbnail_mime is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "this file has no thumbnail")
            key, content_type = thumbnail_key(file.id), file.thumbnail_mime
        else:
            # The uploader gets what they uploaded; others the copy without the location.
            key = file.id
            if file.has_shared_copy and user_id != file.uploader_id:
                key = shared_key(file.id)
            media_kinds = (FileKind.IMAGE, FileKind.VOICE, FileKind.VIDEO)
            content_type = served_type(file.mime) if file.kind in media_kinds else OPAQUE_TYPE
        size = file.size if key == file.id else await self._storage.size(key)
        if size is None:
            raise TidingsError(ErrorCode.FILE_EXPIRED, "this file's data is gone")
        return Download(
            file=file,
            key=key,
            size=size,
            content_type=content_type,
            etag=f'"{key}.{size}"',
            inline=content_type != OPAQUE_TYPE,
        )

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        return self._storage.read(key, start, end)

    async def usage(self, actor: Actor) -> dict[str, int]:
        return {
            "used_bytes": await self._store.usage(actor.user_id),
            "quota_bytes": self._settings.user_quota_bytes,
            "max_file_bytes": self._site.max_file_bytes,
        }

    async def read_whole(self, actor: Actor, file_id: str, *, max_bytes: int) -> StoredFile:
        """A small complete file the actor may read (their upload or one shared with them),
        for an op that takes a file instead of a request body; ``payload_too_large`` past
        ``max_bytes``. Read its bytes with ``whole_bytes``."""
        file = await self.access_file(actor.user_id, file_id)
        if file.size > max_bytes:
            raise TidingsError(
                ErrorCode.PAYLOAD_TOO_LARGE, f"this takes files of at most {max_bytes} bytes"
            )
        return file

    async def whole_bytes(self, actor: Actor, file: StoredFile) -> bytes:
        download = await self.access_download(actor.user_id, file.id, Variant.ORIGINAL)
        return b"".join([c async for c in self._storage.read(download.key, 0, download.size)])

    async def do_store_generated(
        self, actor: Actor, *, name: str, mime: str, data: bytes, expiry_days: int = 1
    ) -> StoredFile:
        """A file the server made for the actor (an export, a QR code): stored complete as
        their own upload, so downloads, signed links, quota and expiry work as for any file."""
        new = check_new_upload(
            len(data),
            {"filename": name, "filetype": mime, "expiry_days": str(expiry_days)},
            max_size=self._site.max_file_bytes,
        )
        upload = await self._create(actor, new, upload_metadata=None, concat=None)
        await self._storage.put(upload.id, data)
        await self._store.set_received(upload.id, expected=0, received=len(data), now=now_ms())
        return await self._complete(dataclasses.replace(upload, received=len(data)))

    async def generated_reply(self, actor: Actor, file: StoredFile) -> dict[str, object]:
        """What an op that made a file answers: the file, and a signed link to fetch it."""
        link = await self.do_make_link(actor, file.id, Variant.ORIGINAL, None)
        return {"file": file.to_wire(now_ms()), **link}

    # Signed links

    async def do_make_link(
        self, actor: Actor, file_id: str, variant: Variant, ttl_seconds: int | None
    ) -> dict[str, object]:
        await self.access_download(actor.user_id, file_id, variant)
        ttl = ttl_seconds or self._settings.file_link_ttl_seconds
        if not 1 <= ttl <= _MAX_LINK_TTL_SECONDS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"ttl_seconds: 1 to {_MAX_LINK_TTL_SECONDS}"
            )
        expires = int(time.time()) + ttl
        claim = LinkClaim(file_id, variant.value, actor.session_id, expires)
        return {"url": self._link_signer.url(claim), "expires_at": expires * 1000}

    async def access_link(
        self, file_id: str, variant: Variant, *, session_id: int, expires: int, signature: str
    ) -> int:
        """The user a signed link acts for; ``invalid_link`` if it is forged, expired, or
        its session ended (signing out revokes the links made in that session)."""
        claim = LinkClaim(file_id, variant.value, session_id, expires)
        if not self._link_signer.verify(claim, signature):
            raise TidingsError(ErrorCode.INVALID_LINK, "this link is not valid")
        now = now_ms()
        if expires * 1000 <= now:
            raise TidingsError(ErrorCode.INVALID_LINK, "this link has expired")
        user_id = await self._store.live_session_user(session_id, now)
        if user_id is None:
            raise TidingsError(ErrorCode.INVALID_LINK, "this link was revoked")
        return user_id

    @property
    def _link_signer(self) -> LinkSigner:
        if self._signer is None:
            raise RuntimeError("Files.start() was not called")
        return self._signer

    # Internals

    def _abandoned(self, upload: StoredFile) -> bool:
        expires = self.upload_expires_at(upload)
        return expires is not None and expires <= now_ms()

    async def _take_body(
        self,
        upload: StoredFile,
        sink: UploadSink,
        chunks: AsyncIterator[bytes],
        *,
        checkpoints: bool,
    ) -> bool:
        """Write the body to the sink; True if the client went away before its end."""
        every = self._settings.upload_checkpoint_bytes
        try:
            async for chunk in chunks:
                if sink.position + len(chunk) > upload.size:
                    raise TidingsError(ErrorCode.FILE_TOO_LARGE, "the body goes past Upload-Length")
                await sink.write(chunk)
                if checkpoints and sink.position - sink.durable >= every:
                    upload = dataclasses.replace(upload, received=await self._commit(upload, sink))
        except UploadInterrupted:
            return True
        return False

    async def _commit(self, upload: StoredFile, sink: UploadSink) -> int:
        """Make the sink's bytes durable, then record the new offset: the offset never
        claims bytes a crash could lose."""
        before = sink.durable
        await sink.checkpoint()
        if sink.durable != before and not await self._store.set_received(
            upload.id, expected=before, received=sink.durable, now=now_ms()
        ):
            raise TidingsError(
                ErrorCode.UPLOAD_OFFSET_MISMATCH, "another request moved this upload"
            )
        return sink.durable

    async def _complete(self, upload: StoredFile) -> StoredFile:
        """The last byte is in: check what the file claims to be, make the copies others
        see, then mark it complete."""
        facts: dict[str, object] = {"kind": upload.kind.value}
        derived = 0
        if upload.kind is FileKind.IMAGE:
            image_facts, derived = await self._image_facts(upload)
            facts.update(image_facts)
        elif upload.kind in (FileKind.VOICE, FileKind.VIDEO):
            head = b"".join(
                [c async for c in self._storage.read(upload.id, 0, min(upload.size, 64))]
            )
            if upload.kind not in media.container_kinds(head):
                # Not an audio or video container: it may still be sent, as a plain file.
                facts["kind"] = FileKind.FILE.value
        shared_bytes = await self._share_without_location(upload)
        now = now_ms()
        return await self._store.complete(
            upload.id,
            now=now,
            expires_at=expiry_of(upload.expiry_days, now),
            has_shared_copy=shared_bytes is not None,
            derived_bytes=derived + (shared_bytes or 0),
            **facts,
        )

    async def _share_without_location(self, upload: StoredFile) -> int | None:
        """Whatever its declared type or size: if the bytes are a JPEG, PNG, WebP or
        ISOBMFF (HEIC, AVIF...) file holding a location, write the copy others download
        without it (no pixel decoded). Its size, or None when there is no such copy."""
        if not self._settings.strip_image_location or upload.size == 0:
            return None
        async with self._storage.local_path(upload.id) as path:
            edits = await self._media.run(location.find, path)
            if not edits:
                return None
            async with self._storage.new_object(shared_key(upload.id)) as target:
                await self._media.run(location.write_without, path, target, edits)
        size = await self._storage.size(shared_key(upload.id))
        return size or 0

    async def _image_facts(self, upload: StoredFile) -> tuple[dict[str, object], int]:
        """What an image is, and the bytes of its thumbnail."""
        if upload.size > self._settings.image_max_bytes or upload.mime not in images.DECODED_TYPES:
            return {"kind": FileKind.FILE.value}, 0
        async with self._storage.local_path(upload.id) as path:
            try:
                analysis = await self._media.run(
                    images.analyze,
                    path,
                    box=self._settings.image_thumbnail_pixels,
                    max_pixels=self._settings.image_max_pixels,
                    max_decode_pixels=self._settings.image_max_decode_pixels,
                )
            except images.TooLarge:
                return {"kind": FileKind.FILE.value}, 0
            except images.NotAnImage:
                await self.discard(upload)
                raise TidingsError(
                    ErrorCode.NOT_AN_IMAGE,
                    "the upload claimed to be an image but is not one; it was removed",
                ) from None
            await self._storage.put(thumbnail_key(upload.id), analysis.thumbnail)
        facts: dict[str, object] = {
            "mime": analysis.mime,
            "width": analysis.width,
            "height": analysis.height,
            "animated": analysis.animated,
            "thumbnail_mime": analysis.thumbnail_mime,
        }
        return facts, len(analysis.thumbnail)
