"""The Qt for Python the desktop client runs on keeps the interpreter's books straight.

PySide6 6.12.0 returned ``True`` from an argument-less ``SignalInstance.disconnect()``
without taking a reference to it; qasync disconnects a socket notifier's signal each time it
stops watching a socket, so a few hundred reconnects later the interpreter aborted
(``bool_dealloc``). pyproject.toml keeps that version out; this fails if it comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def test_disconnecting_a_signal_keeps_the_reference_count_of_true(qapp: QApplication) -> None:
    timer = QTimer()
    before = sys.getrefcount(True)
    for _ in range(200):
        timer.timeout.connect(lambda: None)
        timer.timeout.disconnect()
    assert sys.getrefcount(True) - before >= 0
