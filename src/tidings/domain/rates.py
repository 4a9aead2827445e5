"""A rate as settings spell it: ``"<count>/<period>"``, e.g. ``"10/5m"`` (ten per five
minutes), ``"120/1m"``, ``"20/h"``, ``"3/2s"``; ``"off"`` turns a rule off.

A rule allows a burst of ``count`` at once, then one more every ``period / count`` (the
generic cell rate algorithm, tidings.limits): over any stretch of time at most ``count``
plus one per ``period / count`` elapsed get through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RATE = re.compile(r"^([1-9][0-9]{0,8})/([1-9][0-9]{0,5})?([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int

    @property
    def interval(self) -> float:
        """Seconds one hit occupies (the emission interval)."""
        return self.seconds / self.count


def parse_rate(text: str) -> Rate | None:
    """The rate a setting spells, or None for ``"off"``; ValueError for anything else."""
    if text == "off":
        return None
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"not a rate: {text!r} (say e.g. 10/5m, 120/1m, 3/2s or off)")
    count, amount, unit = match.groups()
    return Rate(int(count), int(amount or 1) * _UNIT_SECONDS[unit])
