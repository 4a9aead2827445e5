"""The customer-service widget's size as pages download it (decision 0066): raw, gzip -9 and
brotli of the built /widget.js, against the budget of 40 KB gzipped.

    .venv/bin/python bench/widget_size.py      (after `make web`)
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

WIDGET = Path(__file__).resolve().parents[1] / "src" / "tidings" / "static" / "widget.js"
BUDGET_GZIP = 40 * 1024


def main() -> int:
    if not WIDGET.is_file():
        print(f"{WIDGET} is missing: build the web client first (make web)")
        return 1
    raw = WIDGET.read_bytes()
    zipped = len(gzip.compress(raw, 9))
    print(f"widget.js raw:    {len(raw):>7,} B")
    print(f"widget.js gzip:   {zipped:>7,} B  (budget {BUDGET_GZIP:,} B)")
    print(f"widget.js brotli: {len(brotli.compress(raw, quality=11)):>7,} B")
    return 0 if zipped <= BUDGET_GZIP else 2


if __name__ == "__main__":
    sys.exit(main())
