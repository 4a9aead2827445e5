"""A webhook receiver in a process of its own, as an app's would be (issue 14).

    python -m tests.support.webhook_receiver PORT LOG

Every POST is appended to LOG as one JSON line: its path, headers, raw body (base64), the
status answered and when. How it answers is read from LOG + ".mode" at each request:
``ok`` (204, the default), ``fail`` (500) or ``hang`` (answers nothing for a minute), so a
test can change its mind while the server retries. Only the standard library: the
receiver knows nothing of Tidings.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    log_path: Path

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if len(body) < length:
            return  # the sender was cut off mid-post (killed): nothing was delivered
        mode_file = self.log_path.with_name(self.log_path.name + ".mode")
        mode = mode_file.read_text().strip() if mode_file.exists() else "ok"
        status = {"ok": 204, "fail": 500, "hang": 0}.get(mode, 204)
        record = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": base64.b64encode(body).decode(),
            "status": status,
            "at": time.time(),
        }
        with _lock, self.log_path.open("a") as log:
            log.write(json.dumps(record) + "\n")
        if mode == "hang":
            time.sleep(60)
            return
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port, log_path = int(sys.argv[1]), Path(sys.argv[2])
    Receiver.log_path = log_path
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
