"""A local SQLite copy of one account's conversations, so a long-lived client opens at once,
shows history offline and syncs on from where it stopped.

    cache = LocalCache.for_account(server_url, user_id)
    state = cache.load()                      # conversations, cursors, the newest entries
    client = TidingsClient(server_url, token=token, state=state)
    cache.attach(client)                      # saves what changes, a moment after it does
    ...
    cache.load_history(state.conversations[42])   # all of one chat, when it is opened

What is stored (one file per server and user, ``<data>/tidings/cache/``):

- ``meta``: ``format``, and ``private`` — the user id, the private log's cursor
  (``private_seq``), the profile and the folded contacts/organization/groups state;
- ``conversations``: each conversation's folded fields (``covered_seq`` is its cursor:
  entries up to it are known here), without its entries;
- ``entries``: every entry seen, by conversation and seq, as the server sent it (a recall
  rewrites its target, as the state does);
- ``outbox``: messages sent and not yet acknowledged (tidings.sdk.outbox).

Cursors and entries are saved in one transaction, so a cursor never runs ahead of the entries
it vouches for: after a crash the client pulls again what it had not saved, never less. The
file is plain sqlite3 in WAL mode, written on the event loop's thread: a save is a few
milliseconds, and a chat of 10,000 messages loads in tens of them (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tidings.sdk.events import Event
from tidings.sdk.state import ClientState, ConversationState, SocialState

FORMAT = "1"
# Entries of each conversation loaded at start (for its line in the conversation list);
# the rest when the chat is opened.
PREVIEW_ENTRIES = 5
UNREAD_ENTRIES = 999
SAVE_DELAY = 0.3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (id INTEGER PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    conversation_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    client_msg_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    message TEXT NOT NULL
);
"""

# ConversationState fields kept in the conversations table (entries have a table of their own).
_CONVERSATION_FIELDS = [
    f.name for f in dataclasses.fields(ConversationState) if f.name not in ("entries", "dirty")
]


def default_directory() -> Path:
    """``$XDG_DATA_HOME/tidings/cache`` (``~/.local/share`` by default; ``%LOCALAPPDATA%`` on
    Windows)."""
    base = (
        os.environ.get("XDG_DATA_HOME")
        or os.environ.get("LOCALAPPDATA")
        or str(Path.home() / ".local" / "share")
    )
    return Path(base) / "tidings" / "cache"


class LocalCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        found = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if found is None:
            self._db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        elif found[0] != FORMAT:
            # Another layout: start afresh; sync fills it again.
            self._db.executescript(
                "DELETE FROM conversations; DELETE FROM entries; DELETE FROM meta;"
            )
            self._db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        self._saved_conversations: set[int] = set()
        self._state: ClientState | None = None
        self._pending_save: asyncio.TimerHandle | None = None

    @classmethod
    def for_account(
        cls, server_url: str, user_id: int, directory: Path | None = None
    ) -> LocalCache:
        """The cache of one user on one server."""
        server = hashlib.sha256(server_url.rstrip("/").encode()).hexdigest()[:16]
        return cls((directory or default_directory()) / f"{server}-{user_id}.sqlite3")

    def close(self) -> None:
        if self._pending_save is not None:
            self._pending_save.cancel()
            self._pending_save = None
        if self._state is not None:
            self.save(self._state)
        self._db.close()

    # Loading

    def load(self, preview: int = PREVIEW_ENTRIES) -> ClientState:
        """The state as last saved, with each conversation's newest ``preview`` entries and
        its unread ones (up to ``UNREAD_ENTRIES``), to show the list and count unread."""
        state = ClientState()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'private'").fetchone()
        if row is not None:
            private = orjson.loads(row[0])
            state.user_id = int(private["user_id"])
            state.private_seq = int(private["private_seq"])
            state.profile = dict(private["profile"])
            state.social = _unpack_social(private["social"])
        for conversation_id, packed in self._db.execute("SELECT id, state FROM conversations"):
            fields = orjson.loads(packed)
            fields["hidden"] = set(fields["hidden"])
            conv = ConversationState(**fields)
            state.conversations[conversation_id] = conv
            unread = min(
                max(conv.last_seq - max(conv.read_seq, conv.cleared_seq), 0), UNREAD_ENTRIES
            )
            for (entry,) in self._db.execute(
                "SELECT entry FROM entries WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?",
                (conversation_id, max(preview, unread)),
            ):
                loaded = orjson.loads(entry)
                conv.entries[int(loaded["seq"])] = loaded
        self._saved_conversations = set(state.conversations)
        return state

    def load_history(self, conv: ConversationState) -> None:
        """Every saved entry of one conversation into its state (those in memory win: they
        may be newer than the last save)."""
        for seq, entry in self._db.execute(
            "SELECT seq, entry FROM entries WHERE conversation_id = ?", (conv.id,)
        ):
            if seq not in conv.entries:
                conv.entries[seq] = orjson.loads(entry)

    # Saving

    def attach(self, client: Any) -> None:
        """Save ``client.state`` a moment after each event (and on ``close``)."""
        self._state = client.state
        client.on(self._on_event)

    def _on_event(self, _event: Event) -> None:
        if self._pending_save is not None or self._state is None:
            return
        loop = asyncio.get_running_loop()
        self._pending_save = loop.call_later(SAVE_DELAY, self._save_attached)

    def _save_attached(self) -> None:
        self._pending_save = None
        if self._state is not None:
            self.save(self._state)

    def save(self, state: ClientState) -> None:
        """Write what changed: changed entries, every conversation's fields, the cursors."""
        with self._transaction():
            for conv in state.conversations.values():
                self._save_entries(conv)
                self._db.execute(
                    "INSERT OR REPLACE INTO conversations VALUES (?, ?)",
                    (conv.id, _pack_conversation(conv)),
                )
            for gone in self._saved_conversations - set(state.conversations):
                self._db.execute("DELETE FROM conversations WHERE id = ?", (gone,))
                self._db.execute("DELETE FROM entries WHERE conversation_id = ?", (gone,))
            private = {
                "user_id": state.user_id,
                "private_seq": state.private_seq,
                "profile": state.profile,
                "social": _pack_social(state.social),
            }
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('private', ?)",
                (orjson.dumps(private).decode(),),
            )
        self._saved_conversations = set(state.conversations)
        for conv in state.conversations.values():
            conv.dirty.clear()

    def _save_entries(self, conv: ConversationState) -> None:
        rows = []
        for seq in conv.dirty:
            entry = conv.entries.get(seq)
            if entry is None:
                continue
            rows.append((conv.id, seq, orjson.dumps(entry).decode()))
            if entry["kind"] in ("recall", "burned"):
                # The target may be saved here and not loaded in memory: tombstone it too.
                target = int(entry["body"]["target_seq"])
                if target not in conv.entries:
                    self._tombstone(conv.id, target, burned=entry["kind"] == "burned")
        self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)

    def _tombstone(self, conversation_id: int, seq: int, *, burned: bool) -> None:
        row = self._db.execute(
            "SELECT entry FROM entries WHERE conversation_id = ? AND seq = ?",
            (conversation_id, seq),
        ).fetchone()
        if row is None:
            return
        entry = orjson.loads(row[0])
        entry["recalled"] = True
        entry["body"] = {"burned": True} if burned else {}
        self._db.execute(
            "UPDATE entries SET entry = ? WHERE conversation_id = ? AND seq = ?",
            (orjson.dumps(entry).decode(), conversation_id, seq),
        )

    # The outbox's rows (tidings.sdk.outbox keeps their meaning)

    def outbox_rows(self) -> list[dict[str, Any]]:
        return [
            orjson.loads(message)
            for (message,) in self._db.execute("SELECT message FROM outbox ORDER BY position")
        ]

    def outbox_put(self, client_msg_id: str, message: dict[str, Any]) -> None:
        with self._transaction():
            found = self._db.execute(
                "SELECT position FROM outbox WHERE client_msg_id = ?", (client_msg_id,)
            ).fetchone()
            if found is None:
                found = self._db.execute(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM outbox"
                ).fetchone()
            self._db.execute(
                "INSERT OR REPLACE INTO outbox VALUES (?, ?, ?)",
                (client_msg_id, found[0], orjson.dumps(message).decode()),
            )

    def outbox_remove(self, client_msg_id: str) -> None:
        self._db.execute("DELETE FROM outbox WHERE client_msg_id = ?", (client_msg_id,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _pack_conversation(conv: ConversationState) -> str:
    fields = {name: getattr(conv, name) for name in _CONVERSATION_FIELDS}
    fields["hidden"] = sorted(conv.hidden)
    return orjson.dumps(fields).decode()


# SocialState holds dicts keyed by ints and sets, which JSON has not: each field is stored
# as [form, value].


def _pack_social(social: SocialState) -> dict[str, Any]:
    packed: dict[str, Any] = {}
    for f in dataclasses.fields(SocialState):
        value = getattr(social, f.name)
        if isinstance(value, set):
            packed[f.name] = ["set", sorted(value)]
        elif isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            packed[f.name] = ["int_keys", [[k, v] for k, v in value.items()]]
        else:
            packed[f.name] = ["plain", value]
    return packed


def _unpack_social(packed: dict[str, Any]) -> SocialState:
    social = SocialState()
    names = {f.name for f in dataclasses.fields(SocialState)}
    for name, (form, value) in packed.items():
        if name not in names:
            continue
        if form == "set":
            setattr(social, name, set(value))
        elif form == "int_keys":
            setattr(social, name, {int(k): v for k, v in value})
        else:
            setattr(social, name, value)
    return social
