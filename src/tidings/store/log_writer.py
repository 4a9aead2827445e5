"""Group commit: many sends, one transaction, one fsync.

Senders hand their entry to ``append`` and wait. One task takes everything that queued up
while the previous batch was being written and writes it in one transaction, then resolves
every waiter. Under light load a batch holds one entry and nothing waits; under heavy load
batches grow and the cost of a commit is shared. An entry is acknowledged only after its
batch committed: acknowledged means durable.

Idempotency lives here too: an entry whose (sender_id, client_msg_id) is already stored, or
appears earlier in the same batch, resolves to the stored entry instead of a second copy.

A send carries the roster version it was checked against; if a membership change moved the
conversation's version on before the batch took its seqs, that send is not stored and its
caller gets ``RosterMoved`` to check it again (decision 12). The rest of the batch is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from tidings.domain.entries import NewEntry
from tidings.metrics import WRITE_BATCH_SIZE
from tidings.store.batch import Appended, ConcurrentAppend, NotAppended, RosterMoved
from tidings.store.database import Database
from tidings.store.pg_log import PgLogAppender
from tidings.store.sqlite_log import SqliteLogAppender

logger = logging.getLogger(__name__)

__all__ = ["Appended", "LogWriter", "RosterMoved"]


@dataclass(slots=True)
class _Pending:
    new: NewEntry
    future: asyncio.Future[Appended] = field(repr=False)


class LogWriter:
    def __init__(self, database: Database, *, batch_max: int) -> None:
        self._database = database
        self._batch_max = batch_max
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Told of every committed batch's results (the dashboard counts messages; a listener
        # must not block).
        self.committed_listeners: list[Callable[[list[Appended]], None]] = []
        # Both engines append outside SQLAlchemy (decisions 17 and 23).
        self._appender: SqliteLogAppender | PgLogAppender = (
            SqliteLogAppender(database.sqlite_path, synchronous=database.sqlite_synchronous)
            if database.sqlite_path is not None
            else PgLogAppender(database.url)
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="log-writer")

    async def stop(self) -> None:
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        await self._appender.close()

    async def append(self, new: NewEntry) -> Appended:
        """Append once durable; ``RosterMoved`` when ``new.roster_version`` is out of date."""
        if self._closing:
            raise RuntimeError("log writer is stopping")
        future: asyncio.Future[Appended] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(new, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch = self._queue[: self._batch_max]
                del self._queue[: self._batch_max]
                await self._write_batch(batch)
            if self._closing:
                return

    async def _write_batch(self, batch: list[_Pending]) -> None:
        WRITE_BATCH_SIZE.observe(len(batch))
        results: list[Appended | NotAppended] | None = None
        error: BaseException | None = None
        try:
            results = await self._commit(batch)
        except ConcurrentAppend:
            # Another node stored one of these (sender, client_msg_id) pairs between our
            # lookup and our insert: a retry that reached another node while its first
            # attempt was still committing. Write them one at a time; each lookup now finds
            # its original.
            if len(batch) > 1:
                for pending in batch:
                    await self._write_batch([pending])
                return
            try:
                results = await self._commit(batch)
            except Exception as exc:
                logger.exception("log write failed after a conflicting concurrent append")
                error = exc
        except Exception as exc:
            logger.exception("log write failed for a batch of %d", len(batch))
            error = exc
        if results is not None and self.committed_listeners:
            stored = [r for r in results if isinstance(r, Appended)]
            for listener in self.committed_listeners:
                listener(stored)
        for index, pending in enumerate(batch):
            if pending.future.done():
                continue
            if results is None:
                pending.future.set_exception(error or RuntimeError("log write failed"))
                continue
            result = results[index]
            if isinstance(result, Appended):
                pending.future.set_result(result)
            elif result is NotAppended.NO_CONVERSATION:
                pending.future.set_exception(
                    LookupError(f"conversation {pending.new.conversation_id} does not exist")
                )
            elif pending.new.roster_version is None:
                # Unchecked (a notice) but batched with checked sends of a conversation
                # whose roster moved: it needs no check, so it simply goes again.
                self._queue.append(pending)
                self._wakeup.set()
            else:
                pending.future.set_exception(RosterMoved(pending.new.conversation_id))

    async def _commit(self, batch: list[_Pending]) -> list[Appended | NotAppended]:
        new = [p.new for p in batch]
        # The webhook events of the entries commit with them, when some subscription wants
        # one of their kinds (decision 0068); otherwise the batch is what it always was.
        outbox = self._database.outbox
        events = outbox.rows_of if outbox.wants_any(new) else None
        async with self._database.exclusive("append_entries"):
            results = await self._appender.commit(new, events)
        if events is not None:
            outbox.written()
        return results
