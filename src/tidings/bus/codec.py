"""Bus messages on the wire between nodes.

A message is the publishing node's id on a line of its own (so that a node skips its own
messages without parsing them), one JSON header line, then (for frames) the frame text as
is: the frame was serialized once by the publisher and is not escaped a second time.
"""

from __future__ import annotations

from typing import Any

import orjson

from tidings.bus.messages import (
    BusGap,
    BusMessage,
    EndSessions,
    MembersPush,
    PresenceChanged,
    PresenceCut,
    PresenceHidden,
    Push,
    RosterChanged,
    SessionsPush,
    SiteSettingsChanged,
    WebhooksChanged,
    WordsChanged,
)

# A push to a conversation of more members than this names the conversation instead of
# listing them: 100,000 ids are 700 KB for every node to read, for every message.
LIST_MAX = 256


def encode(message: BusMessage, origin: str, *, list_max: int = LIST_MAX) -> bytes:
    header: dict[str, Any]
    frame = ""
    if isinstance(message, Push):
        if message.members_of is not None and len(message.user_ids) > list_max:
            header = {"t": "members", "c": message.members_of, "x": message.exclude_connection}
        else:
            header = {"t": "push", "u": message.user_ids, "x": message.exclude_connection}
        frame = message.frame
    elif isinstance(message, MembersPush):
        header = {"t": "members", "c": message.conversation_id, "x": message.exclude_connection}
        frame = message.frame
    elif isinstance(message, SessionsPush):
        header = {"t": "sessions", "s": message.session_ids}
        frame = message.frame
    elif isinstance(message, EndSessions):
        header = {
            "t": "end",
            "s": message.session_ids,
            "c": message.close_code,
            "r": message.reason,
            "x": message.spare_connection,
        }
        frame = message.frame
    elif isinstance(message, RosterChanged):
        header = {"t": "roster", "c": message.conversation_id}
    elif isinstance(message, PresenceChanged):
        header = {"t": "presence", "u": message.user_id, "on": message.online}
    elif isinstance(message, BusGap):
        header = {"t": "gap"}
    elif isinstance(message, SiteSettingsChanged):
        header = {"t": "site_settings", "v": message.version}
        frame = message.document
    elif isinstance(message, PresenceHidden):
        header = {"t": "presence_hidden", "u": message.user_id}
    elif isinstance(message, WordsChanged):
        header = {"t": "words", "v": message.version}
    elif isinstance(message, WebhooksChanged):
        header = {"t": "webhooks"}
    else:
        header = {"t": "presence_cut", "u": message.user_id, "v": message.other_id}
    return b"%s\n%s\n%s" % (origin.encode(), orjson.dumps(header), frame.encode())


def origin_prefix(node_id: str) -> bytes:
    """What every message published by ``node_id`` starts with."""
    return node_id.encode() + b"\n"


def decode(data: bytes) -> BusMessage:
    """The message (after its origin line); raises ValueError on anything malformed."""
    _, _, data = data.partition(b"\n")
    head, _, rest = data.partition(b"\n")
    header = orjson.loads(head)
    kind = header["t"]
    message: BusMessage
    if kind == "push":
        message = Push(tuple(header["u"]), rest.decode(), header["x"])
    elif kind == "members":
        message = MembersPush(int(header["c"]), rest.decode(), header["x"])
    elif kind == "sessions":
        message = SessionsPush(tuple(int(s) for s in header["s"]), rest.decode())
    elif kind == "end":
        message = EndSessions(
            tuple(header["s"]), rest.decode(), int(header["c"]), header["r"], header["x"]
        )
    elif kind == "roster":
        message = RosterChanged(int(header["c"]))
    elif kind == "presence":
        message = PresenceChanged(int(header["u"]), bool(header["on"]))
    elif kind == "presence_cut":
        message = PresenceCut(int(header["u"]), int(header["v"]))
    elif kind == "presence_hidden":
        message = PresenceHidden(int(header["u"]))
    elif kind == "words":
        message = WordsChanged(int(header["v"]))
    elif kind == "webhooks":
        message = WebhooksChanged()
    elif kind == "gap":
        message = BusGap()
    elif kind == "site_settings":
        message = SiteSettingsChanged(int(header["v"]), rest.decode())
    else:
        raise ValueError(f"unknown bus message {kind!r}")
    return message
