"""`tidings` commands started for tests without paying for Python's imports each time.

A test run starts a few hundred servers and CLI commands; importing the package is most of
what a start costs (about 1.4 s of CPU of ~2 s). Python's own forkserver (multiprocessing)
imports the package once per test process, then forks every command from that ready
process: each is still a real process of its own, with its own environment, arguments,
working directory and log, running ``tidings.cli.main`` as the console script does, and it
is stopped, killed and waited for like any child (decision 0079). tests/test_cli.py still runs
the installed ``tidings`` script itself.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path

# What `tidings serve` imports, ready in the forkserver before any command is forked.
_PRELOAD = [
    "tidings.cli",
    "uvicorn",
    "uvloop",
    "tidings.app",
    "tidings.gateway.websocket",
    "tidings.http_deadlines",
    "tidings.container",
]

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(_PRELOAD)


def _run(args: Sequence[str], env: Mapping[str, str], cwd: str, log: str) -> None:
    """In the forked child: become `tidings ARGS` with ENV in CWD, writing to LOG."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # Its own process group, as a process started from a shell would have.
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.argv = ["tidings", *args]
    from tidings.cli import main

    main(list(args))


class Launched:
    """A started command, answering like the subset of ``subprocess.Popen`` tests use."""

    def __init__(self, process: BaseProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(f"tidings (pid {self.pid})", timeout or 0)
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def launch(args: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path) -> Launched:
    """Start `tidings ARGS`; its output is appended to LOG."""
    process = _context.Process(
        target=_run, args=(list(args), dict(env), str(cwd), str(log)), daemon=False
    )
    process.start()
    return Launched(process)


def _run_to_end(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[int, str]:
    with tempfile.NamedTemporaryFile(suffix=".log") as output:
        command = launch(args, env, cwd, Path(output.name))
        try:
            code = command.wait(60)
        except BaseException:
            command.kill()
            raise
        return code, Path(output.name).read_text(errors="replace")


async def run(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[int, str]:
    """Run `tidings ARGS` to its end (a minute at most): its exit code and output."""
    return await asyncio.to_thread(_run_to_end, args, env, cwd)
