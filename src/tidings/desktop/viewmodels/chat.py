"""One open chat: its messages (the whole cached history and what is still in the outbox),
their states and read receipts, and what the user does there — send text with @mentions,
images and files, reply, recall, forward, download files (resumably, with pause).

Listeners hear how the list changed, as a splice (``start``, ``removed``, ``inserted``) plus
the rows whose content changed, so a view over 10,000 messages redraws only what moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.conversations import describe, title_of, unread_of
from tidings.desktop.viewmodels.session import Session
from tidings.sdk import (
    ConversationState,
    EntryReceived,
    HistoryFilled,
    OutgoingMessage,
    PresenceChanged,
    ReceiptChanged,
    ServerError,
    Typing,
)


@dataclass(frozen=True)
class MessageItem:
    key: str
    seq: int | None
    sender_id: int | None
    mine: bool
    # "message", or "event" (a line in the middle: a recall, a member joined...).
    kind: str
    type: str
    body: dict[str, Any] = field(compare=True)
    text: str
    recalled: bool
    created_at: int
    reply_to_seq: int | None
    forwarded: bool
    # Mine only: "sending", "paused" (a file's upload), "failed", "sent", "delivered", "read".
    state: str
    progress: float | None = None
    failed: str | None = None
    # In a group, for my messages: how many members have read it (when counted).
    read_count: int | None = None


@dataclass
class Download:
    file_id: str
    path: Path
    done: int = 0
    total: int = 0
    # "running", "paused", "done", "failed"
    status: str = "paused"
    task: asyncio.Task[None] | None = None


# A change: (start, removed, inserted, changed rows).
Splice = tuple[int, int, int, list[int]]
# Messages shown when a chat opens, and added each time the user scrolls to the top.
PAGE = 200
MAX_ROWS = 5 * PAGE
# A group's receipts are counted for my last few messages.
GROUP_READS = 20


class ChatViewModel:
    def __init__(self, session: Session, conversation_id: int) -> None:
        self.session = session
        self.conversation_id = conversation_id
        self.conv: ConversationState = session.state.conversation(conversation_id)
        session.cache.load_history(self.conv)
        self.items: list[MessageItem] = []
        self.replying: MessageItem | None = None
        self.active = False
        self.members: dict[int, dict[str, Any]] = {}
        self.announcements: list[dict[str, Any]] = []
        self.downloads: dict[str, Download] = {}
        self._listeners: list[Callable[[Splice], None]] = []
        self._stop = session.on(self._on_session)
        self._reading: asyncio.Task[None] | None = None
        self._counting: asyncio.Future[None] | None = None
        # A group's receipts: how many members have read each of my last messages.
        self.group_reads: dict[int, int] = {}
        # The oldest seq shown: a chat opens on its newest page; scrolling up shows more.
        self.from_seq = self._first_page_seq()
        self.to_seq: int | None = None
        self.items = self._build()
        if self.conv.peer is not None:
            session.watch_presence([self.conv.peer["user_id"]])

    @property
    def title(self) -> str:
        return title_of(self.session, self.conv)

    @property
    def subtitle(self) -> str:
        """Under the title: who is typing; else a direct chat's partner's presence."""
        typing = self.session.typing_in(self.conversation_id)
        if typing:
            names = ", ".join(self.session.name_of(u) for u in typing)
            return tr("{name} is typing…", name=names)
        if self.conv.peer is not None:
            online = self.session.online(self.conv.peer["user_id"])
            if online is not None:
                return tr("Online") if online else tr("Offline")
        return ""

    @property
    def typing(self) -> bool:
        return bool(self.session.typing_in(self.conversation_id))

    def typed(self) -> bool:
        """The user typed: the others see it (throttled); whether it was sent now."""
        return self.session.typed(self.conversation_id)

    @property
    def is_group(self) -> bool:
        return self.conv.type == "group"

    def on_change(self, listener: Callable[[Splice], None]) -> None:
        self._listeners.append(listener)

    def dispose(self) -> list[asyncio.Future[Any]]:
        """Stop listening and cancel running downloads (returned, to be awaited)."""
        self._stop()
        running: list[asyncio.Future[Any]] = []
        for task in (*(d.task for d in self.downloads.values()), self._reading, self._counting):
            if task is not None and not task.done():
                task.cancel()
                running.append(task)
        return running

    # Reading

    def _on_session(self, what: Any) -> None:
        conv_id: int | None = None
        if isinstance(what, EntryReceived):
            conv_id = int(what.entry["conversation_id"])
        elif isinstance(what, HistoryFilled | ReceiptChanged):
            conv_id = what.conversation_id
        elif isinstance(what, tuple) and what[0] == "outbox":
            conv_id = what[1].conversation_id
        elif isinstance(what, tuple) and what[0] in ("read", "presence"):
            return
        elif isinstance(what, Typing | PresenceChanged):
            return  # the header's (``subtitle``), not the history's
        if conv_id is not None and conv_id != self.conversation_id:
            return
        if isinstance(what, ReceiptChanged) and self.is_group:
            self.count_group_reads()
        self.refresh()
        if self.active:
            self.mark_read()

    def refresh(self) -> None:
        old, new = self.items, self._build()
        self.items = new
        # What changed is what lies between the common beginning and the common end.
        start = 0
        while start < len(old) and start < len(new) and old[start].key == new[start].key:
            start += 1
        end = 0
        while (
            end < len(old) - start
            and end < len(new) - start
            and old[len(old) - 1 - end].key == new[len(new) - 1 - end].key
        ):
            end += 1
        removed, inserted = len(old) - start - end, len(new) - start - end
        kept = [i for i in range(start)] + [len(new) - end + i for i in range(end)]
        changed = [i for i in kept if old[i if i < start else i - inserted + removed] != new[i]]
        if not removed and not inserted and not changed:
            return
        splice = (start, removed, inserted, changed)
        for listener in list(self._listeners):
            listener(splice)

    # The window of history shown: from_seq .. to_seq (None: up to the newest, live). At
    # most MAX_ROWS entries, so the list view never lays out more than that at once.

    def _seqs(self) -> list[int]:
        floor = max(self.conv.cleared_seq, self.conv.visible_from_seq - 1)
        return sorted(s for s in self.conv.entries if s > floor and s not in self.conv.hidden)

    @property
    def has_older(self) -> bool:
        return any(s < self.from_seq for s in self._seqs())

    @property
    def has_newer(self) -> bool:
        return self.to_seq is not None

    def load_older(self, count: int = PAGE) -> int:
        """Show ``count`` more of the history before what is shown (dropping as many at the
        other end past MAX_ROWS); how many came."""
        seqs = self._seqs()
        older = [s for s in seqs if s < self.from_seq]
        if not older:
            return 0
        taken = older[-count:]
        self.from_seq = taken[0]
        shown = [
            s for s in seqs if s >= self.from_seq and (self.to_seq is None or s <= self.to_seq)
        ]
        if len(shown) > MAX_ROWS:
            self.to_seq = shown[MAX_ROWS - 1]
        self.refresh()
        return len(taken)

    def load_newer(self, count: int = PAGE) -> int:
        """Back towards the newest: ``count`` more after what is shown."""
        if self.to_seq is None:
            return 0
        seqs = self._seqs()
        newer = [s for s in seqs if s > self.to_seq]
        taken = newer[:count]
        self.to_seq = None if len(newer) <= count else taken[-1]
        shown = [
            s for s in seqs if s >= self.from_seq and (self.to_seq is None or s <= self.to_seq)
        ]
        if len(shown) > MAX_ROWS:
            self.from_seq = shown[-MAX_ROWS]
        self.refresh()
        return len(taken)

    def jump_to_latest(self) -> None:
        if self.to_seq is not None:
            self.to_seq = None
            self.from_seq = self._first_page_seq()
            self.refresh()

    async def show_around(self, seq: int) -> bool:
        """Show the history around ``seq`` (a search result): fetched with ``around_seq``
        when the cache does not hold it; False when it cannot be shown (gone, or before
        what this user may see)."""
        if seq not in self.conv.entries:
            with contextlib.suppress(ServerError):
                for entry in await self.session.client.history_around(self.conversation_id, seq):
                    self.conv.add_entry(entry)
        seqs = self._seqs()
        if seq not in seqs:
            return False
        at = seqs.index(seq)
        self.from_seq = seqs[max(0, at - PAGE // 2)]
        last = at + PAGE // 2
        self.to_seq = None if last >= len(seqs) - 1 else seqs[last]
        self.refresh()
        return True

    def row_of(self, seq: int) -> int | None:
        return next((i for i, item in enumerate(self.items) if item.seq == seq), None)

    def _first_page_seq(self) -> int:
        """Where the first page starts: the newest PAGE entries."""
        seqs = self._seqs()
        if len(seqs) <= PAGE:
            return 0
        return seqs[-PAGE]

    def _build(self) -> list[MessageItem]:
        conv = self.conv
        peer = conv.peer or {}
        read_seq, delivered_seq = peer.get("read_seq", 0), peer.get("delivered_seq", 0)
        items: list[MessageItem] = []
        keys: set[str] = set()
        floor = max(conv.cleared_seq, conv.visible_from_seq - 1, self.from_seq - 1)
        ceiling = self.to_seq
        shown = sorted(
            s
            for s in conv.entries
            if s > floor and s not in conv.hidden and (ceiling is None or s <= ceiling)
        )
        for entry in (conv.entries[s] for s in shown):
            if entry["kind"] == "recall":
                continue  # its target shows as "X recalled a message"
            mine = entry.get("sender_id") == self.session.user_id
            seq = int(entry["seq"])
            cmid = str(entry.get("client_msg_id") or "")
            key = f"m{cmid}" if mine and cmid else f"s{seq}"
            keys.add(key)
            if entry["kind"] != "message":
                kind, text = "event", _event_line(self.session, entry)
                if not text:
                    continue
            elif entry.get("recalled"):
                kind = "event"
                text = describe(self.session, {**entry, "kind": "recall"})
            else:
                kind, text = "message", describe(self.session, entry)
            state = ""
            reads = None
            if mine and kind == "message":
                if conv.peer is None:
                    state = "sent"
                    reads = self.group_reads.get(seq)
                else:
                    state = (
                        "read"
                        if seq <= read_seq
                        else "delivered"
                        if seq <= delivered_seq
                        else "sent"
                    )
            items.append(
                MessageItem(
                    key=key,
                    seq=seq,
                    sender_id=entry.get("sender_id"),
                    mine=mine,
                    kind=kind,
                    type=entry["type"] or "",
                    body=entry.get("body") or {},
                    text=text,
                    recalled=bool(entry.get("recalled")),
                    created_at=int(entry["created_at"]),
                    reply_to_seq=entry.get("reply_to_seq"),
                    forwarded=cmid.startswith("fwd-"),
                    state=state,
                    read_count=reads,
                )
            )
        if ceiling is not None:
            return items
        for message in self.session.pending(self.conversation_id):
            key = f"m{message.client_msg_id}"
            if key in keys:
                continue
            items.append(self._pending_item(message, key))
        return items

    def _pending_item(self, message: OutgoingMessage, key: str) -> MessageItem:
        progress = None
        if message.total_bytes:
            progress = message.sent_bytes / message.total_bytes
        return MessageItem(
            key=key,
            seq=None,
            sender_id=self.session.user_id,
            mine=True,
            kind="message",
            type=message.type,
            body=message.body,
            text=describe(
                self.session, {"kind": "message", "type": message.type, "body": message.body}
            ),
            recalled=False,
            created_at=int(message.queued_at * 1000),
            reply_to_seq=message.reply_to_seq,
            forwarded=False,
            state="failed" if message.failed else "paused" if message.paused else "sending",
            progress=progress,
            failed=message.failed,
        )

    def count_group_reads(self, last: int = GROUP_READS) -> None:
        """How many have read each of my last messages (a group's receipts are counts)."""
        if self._counting is not None and not self._counting.done():
            return
        mine = [i.seq for i in self.items if i.mine and i.seq is not None][-last:]

        async def count() -> None:
            for seq in mine:
                try:
                    reply = await self.session.client.request(
                        "read_state", {"conversation_id": self.conversation_id, "seq": seq}
                    )
                except ServerError:
                    continue
                self.group_reads[seq] = int(reply["read_count"])
            self.refresh()

        self._counting = asyncio.ensure_future(count())

    def entry(self, seq: int) -> dict[str, Any] | None:
        return self.conv.entries.get(seq)

    def quote(self, seq: int) -> str:
        """The line a reply shows of what it answers."""
        entry = self.entry(seq)
        if entry is None:
            return ""
        return f"{self.session.name_of(entry.get('sender_id'))}: {describe(self.session, entry)}"

    @property
    def unread(self) -> int:
        return unread_of(self.session, self.conv)

    def set_active(self, active: bool) -> None:
        """The chat is in front of the user: what arrives is read."""
        self.active = active
        if active:
            self.mark_read()

    def mark_read(self) -> None:
        if self.conv.read_seq >= self.conv.last_seq or (
            self._reading is not None and not self._reading.done()
        ):
            return

        async def read() -> None:
            with contextlib.suppress(ServerError, ConnectionError, TimeoutError, Exception):
                reply = await self.session.client.request(
                    "read", {"conversation_id": self.conversation_id, "seq": self.conv.last_seq}
                )
                self.conv.read_seq = max(self.conv.read_seq, int(reply["read_seq"]))
                self.session.conversation_read(self.conversation_id)

        self._reading = asyncio.ensure_future(read())

    # Sending

    def reply_to(self, item: MessageItem | None) -> None:
        self.replying = item

    def _reply_seq(self) -> int | None:
        self.jump_to_latest()  # what one sends shows at the end
        replying, self.replying = self.replying, None
        return replying.seq if replying is not None else None

    def send_text(self, text: str, mentions: list[int] | None = None) -> OutgoingMessage | None:
        text = text.strip()
        if not text:
            return None
        body: dict[str, Any] = {"text": text}
        if self.is_group:
            ids = sorted({m for m in mentions or [] if m != self.session.user_id})
            if ids:
                body["mentions"] = ids
            if "@all" in text or "@所有人" in text:
                body["mention_all"] = True
        return self.session.outbox.queue(
            self.conversation_id, "text", body, reply_to_seq=self._reply_seq()
        )

    def send_image(self, path: str | Path) -> OutgoingMessage:
        from PIL import Image

        source = Path(path)
        with Image.open(source) as image:
            width, height = image.size
        body = {
            "width": width,
            "height": height,
            "size": source.stat().st_size,
            "name": source.name,
        }
        return self.session.outbox.queue(
            self.conversation_id,
            "image",
            body,
            reply_to_seq=self._reply_seq(),
            path=source,
            mime=mimetypes.guess_type(source.name)[0] or "image/png",
        )

    def send_file(self, path: str | Path) -> OutgoingMessage:
        source = Path(path)
        body = {
            "name": source.name,
            "size": source.stat().st_size,
            "mime": mimetypes.guess_type(source.name)[0] or "application/octet-stream",
        }
        return self.session.outbox.queue(
            self.conversation_id, "file", body, reply_to_seq=self._reply_seq(), path=source
        )

    def retry(self, item: MessageItem) -> None:
        self.session.outbox.retry(item.key[1:])

    def pause_upload(self, item: MessageItem) -> None:
        """Hold a file being sent; it goes on from where it stopped (also after a restart)."""
        if item.state == "sending":
            self.session.outbox.pause(item.key[1:])

    def resume_upload(self, item: MessageItem) -> None:
        if item.state == "paused":
            self.session.outbox.resume(item.key[1:])

    async def recall(self, item: MessageItem) -> None:
        if item.seq is None:
            return
        entry = await self.session.client.request(
            "recall", {"conversation_id": self.conversation_id, "seq": item.seq}
        )
        self.conv.add_entry(entry)
        self.refresh()

    async def forward(self, items: list[MessageItem], target_ids: list[int]) -> None:
        seqs = [i.seq for i in items if i.seq is not None]
        reply = await self.session.client.request(
            "forward",
            {
                "conversation_id": self.conversation_id,
                "seqs": seqs,
                "target_ids": target_ids,
                "client_msg_id": uuid.uuid4().hex,
            },
        )
        for entry in reply["entries"]:
            target = self.session.state.conversations.get(int(entry["conversation_id"]))
            if target is not None:
                target.add_entry(entry)
        self.session.touch()

    # Group info and @mentions

    async def load_members(self) -> None:
        if not self.is_group:
            return
        reply = await self.session.client.request(
            "group.members", {"conversation_id": self.conversation_id, "limit": 1000}
        )
        self.members = {int(m["user_id"]): m for m in reply["members"]}
        for user_id, member in self.members.items():
            self.session.people.setdefault(user_id, {"id": user_id, **member})
        reply = await self.session.client.request(
            "group.announcements", {"conversation_id": self.conversation_id}
        )
        self.announcements = list(reply["announcements"])

    def mention_candidates(self, prefix: str) -> list[tuple[int, str]]:
        prefix = prefix.lower()
        found = [
            (user_id, str(m.get("nickname") or user_id))
            for user_id, m in self.members.items()
            if user_id != self.session.user_id
        ]
        return [(u, n) for u, n in found if n.lower().startswith(prefix)]

    # Files

    def download(self, file_id: str, name: str) -> Download:
        """Start or continue a download into the session's files folder."""
        download = self.downloads.get(file_id)
        if download is None:
            download = Download(file_id, self.session.download_path(file_id, name))
            self.downloads[file_id] = download
        if download.status in ("running", "done"):
            return download
        download.status = "running"

        def progress(done: int, total: int) -> None:
            download.done, download.total = done, total
            self._file_changed(file_id)

        async def run() -> None:
            try:
                await asyncio.to_thread(download.path.parent.mkdir, parents=True, exist_ok=True)
                await self.session.files.download(file_id, download.path, on_progress=progress)
                download.status = "done"
            except asyncio.CancelledError:
                download.status = "paused"
                raise
            except Exception:
                download.status = "failed"
            finally:
                self._file_changed(file_id)

        download.task = asyncio.ensure_future(run())
        return download

    def pause(self, file_id: str) -> None:
        download = self.downloads.get(file_id)
        if download is not None and download.task is not None and download.status == "running":
            download.task.cancel()

    def download_state(self, file_id: str, name: str) -> Download:
        """The state of a file's download, also one left half done by an earlier run."""
        download = self.downloads.get(file_id)
        if download is None:
            path = self.session.download_path(file_id, name)
            download = Download(file_id, path)
            if path.exists():
                download.status = "done"
            else:
                partial = path.with_name(path.name + ".part")
                if partial.exists():
                    download.done = partial.stat().st_size
            self.downloads[file_id] = download
        return download

    def _file_changed(self, file_id: str) -> None:
        rows = [i for i, item in enumerate(self.items) if item.body.get("file_id") == file_id]
        for listener in list(self._listeners):
            listener((len(self.items), 0, 0, rows))


_EVENT_WORDS = {
    "group_created": "{name} created the group",
    "member_joined": "{name} joined",
    "member_left": "{name} left",
    "member_removed": "{name} was removed",
}


def _event_line(session: Session, entry: dict[str, Any]) -> str:
    kind = entry["kind"]
    if kind == "announcement_posted":
        return f"{tr('Announcements')}: {entry['body'].get('text', '')}"
    word = _EVENT_WORDS.get(kind)
    if word is None:
        return ""
    body = entry.get("body") or {}
    ids = body.get("user_ids") or ([body["user_id"]] if body.get("user_id") else [])
    if kind == "group_created":
        ids = [entry.get("sender_id")]
    names = ", ".join(session.name_of(i) for i in ids)
    return word.format(name=names)
