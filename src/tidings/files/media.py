"""Recognising audio and video containers by their first bytes.

Voice and video are not decoded on the server; their duration comes from the client. What
the server checks is that the bytes are an audio or video container at all, so a file cannot
pose as a voice message.
"""

from __future__ import annotations

from tidings.domain.files import FileKind

HEAD_BYTES = 64


def container_kinds(head: bytes) -> frozenset[FileKind]:
    """The kinds (voice, video) a file starting with ``head`` may be sent as."""
    both = frozenset({FileKind.VOICE, FileKind.VIDEO})
    if head[4:8] == b"ftyp":  # MP4, M4A, MOV, 3GP
        return both
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska, WebM
        return both
    if head.startswith(b"OggS"):
        return both
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return frozenset({FileKind.VOICE})
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return frozenset({FileKind.VIDEO})
    if head.startswith((b"ID3", b"#!AMR", b"fLaC")):
        return frozenset({FileKind.VOICE})
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio, ADTS AAC
        return frozenset({FileKind.VOICE})
    return frozenset()
