"""Server-to-client WebSocket frames, built once and written to any number of connections.

A push to a group is the same bytes for every member online: the bus hands the JSON over
once, the registry builds the frame once (``text_frame``) and each connection writes it.
Server frames are never masked and the gateway negotiates no extension (per-message
compression is off: it costs memory on every connection), so a data frame is a header of
2 to 10 bytes and the payload (RFC 6455 section 5.2).
"""

from __future__ import annotations

import struct

_FIN_TEXT = 0x81  # FIN bit + opcode 1 (text)


def text_frame(payload: str | bytes) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    length = len(data)
    if length < 126:
        header = bytes((_FIN_TEXT, length))
    elif length < 1 << 16:
        header = struct.pack("!BBH", _FIN_TEXT, 126, length)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, length)
    return header + data
