"""Run ``inspection.inspect_pdf`` in a child process with CPU, memory and wall-clock limits.

Whatever an anonymous upload makes pyHanko do, the web worker waits at most
about ``WALL_SECONDS``, and the child spends at most ``CPU_SECONDS`` of CPU and
``MEMORY_BYTES`` beyond its start size before the kernel stops it.

Each web process starts, on first use, one helper (``python -m
esurety.signing.sandbox``) that has imported pyHanko and nothing of Django.
For each check the helper forks a fresh child (milliseconds: no import, no
copy of the web process, its threads or its database connections), sets the
limits in it, and reports how it ended with the CPU time the kernel counted.
A new child per check means limits never accumulate and a killed child takes
nothing with it. (multiprocessing's fork server would re-run the web
process's ``__main__`` script in every child.)

Frames on the pipes are a 4-byte length and JSON, plus the raw PDF: nothing
the child writes is unpickled, since the child has parsed hostile input.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from typing import IO, Any

from esurety.signing.inspection import Inspection, Outcome, inspect_pdf

CPU_SECONDS = 2
MEMORY_BYTES = 256 * 1024 * 1024
# CPU time is what the child is allowed; the wall limit covers a child that waits, or a
# machine so busy that two seconds of CPU take longer, with room for that.
WALL_SECONDS = 4.0
# The helper answers within WALL_SECONDS plus a fork and a kill; past this it is replaced.
_HELPER_GRACE_SECONDS = 5.0
_MAX_FRAME = 64 * 1024 * 1024

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Run:
    """What the child found, and how it ended."""

    inspection: Inspection
    exit_signal: int  # the signal that ended the child, 0 when it exited
    child_cpu_seconds: float  # user + system CPU time of the child, as the kernel counted it
    wall_seconds: float  # as the web process waited


# ---------------------------------------------------------------------------
# Inspection <-> JSON (the child's answer)
# ---------------------------------------------------------------------------


def _encode(found: Inspection) -> dict[str, Any]:
    return {
        "outcome": found.outcome.value,
        "signer_cert": base64.b64encode(found.signer_cert).decode(),
        "intact": found.intact,
        "whole_file": found.whole_file,
        "trusted": found.trusted,
        "signed_at": found.signed_at.isoformat() if found.signed_at else None,
        "timestamped": found.timestamped,
        "detail": found.detail,
    }


def _decode(fields: dict[str, Any]) -> Inspection:
    signed_at = fields["signed_at"]
    return Inspection(
        outcome=Outcome(fields["outcome"]),
        signer_cert=base64.b64decode(fields["signer_cert"]),
        intact=bool(fields["intact"]),
        whole_file=bool(fields["whole_file"]),
        trusted=bool(fields["trusted"]),
        signed_at=dt.datetime.fromisoformat(signed_at) if signed_at else None,
        timestamped=bool(fields["timestamped"]),
        detail=str(fields["detail"]),
    )


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes]) -> bytes:
    (size,) = struct.unpack(">I", _read_exact(stream, 4))
    if size > _MAX_FRAME:
        raise ValueError("frame too large")
    return _read_exact(stream, size)


# ---------------------------------------------------------------------------
# The helper (runs as ``python -m esurety.signing.sandbox``) and its children
# ---------------------------------------------------------------------------


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_self(*, cpu_seconds: int, memory_bytes: int) -> None:
    # SIGXCPU at the soft limit ends the child (no handler is installed); SIGKILL one second later.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        # Address space, not resident memory: the memory limit the kernel enforces on one
        # process. Counted from what the helper has already mapped (Python, pyHanko).
        ceiling = _address_space() + memory_bytes
    except OSError:  # no /proc: the CPU and wall limits still hold
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


# The child's exit status when it ran out of memory where it could not write its answer
# (the answer itself needs memory): the parent reports the memory limit, not a failure.
_EXIT_OUT_OF_MEMORY = 3


def _out_of_memory(exc: BaseException) -> bool:
    """MemoryError, or an error raised while handling one (pyHanko wraps what it catches)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, MemoryError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _child(job: dict[str, Any], data: bytes, answer_fd: int) -> None:
    """In the forked child: limits, inspection, answer; never returns."""
    code = 0
    try:
        # The helper's stdin and stdout are its pipes to the web process: keep them clean.
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        # pyHanko logs a warning (with a traceback) for every odd field: thousands for a
        # crafted file. The web process writes one line per upload instead.
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore")
        _limit_self(cpu_seconds=job["cpu_seconds"], memory_bytes=job["memory_bytes"])
        try:
            found = inspect_pdf(
                data,
                trust_roots=[base64.b64decode(root) for root in job["trust_roots"]],
                field_name=job["field_name"],
            )
        except Exception as exc:
            if not _out_of_memory(exc):
                raise
            found = Inspection(outcome=Outcome.TOO_COMPLEX, detail="memory limit")
        answer = json.dumps(_encode(found)).encode()
        with os.fdopen(answer_fd, "wb") as out:
            out.write(answer)
    except BaseException as exc:  # noqa: BLE001 - the helper reports the exit status
        code = _EXIT_OUT_OF_MEMORY if _out_of_memory(exc) else 1
    os._exit(code)


def _read_answer(fd: int, *, deadline: float) -> bytes | None:
    """All the child writes before it exits, or None if it is still writing at the deadline."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _serve_one(job: dict[str, Any], data: bytes) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(job, data, write_fd)
    os.close(write_fd)
    try:
        answer = _read_answer(read_fd, deadline=time.monotonic() + job["wall_seconds"])
    finally:
        os.close(read_fd)
    if answer is None:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    exit_signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    reply: dict[str, Any] = {
        "exit_signal": exit_signal,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "timed_out": answer is None,
        "out_of_memory": os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_OUT_OF_MEMORY,
    }
    if answer and not exit_signal and os.WEXITSTATUS(status) == 0:
        reply["inspection"] = json.loads(answer)
    return reply


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper's loop: one job at a time until the web process closes the pipe."""
    while True:
        try:
            job = json.loads(_read_frame(requests))
            data = _read_frame(requests)
        except EOFError:
            return
        _write_frame(replies, json.dumps(_serve_one(job, data)).encode())
        replies.flush()


# ---------------------------------------------------------------------------
# The web process's side
# ---------------------------------------------------------------------------


class _Helper:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None

    def _ensure_running(self) -> subprocess.Popen[bytes]:
        if self.process is not None and self.process.poll() is None:
            return self.process
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        return self.process

    def warm(self) -> None:
        """Start the helper if it is not running, without waiting for it (nor for a check in progress)."""
        if self.lock.acquire(blocking=False):
            try:
                self._ensure_running()
            finally:
                self.lock.release()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def ask(self, job: dict[str, Any], data: bytes, *, timeout: float) -> dict[str, Any] | None:
        """The helper's reply, or None (helper replaced) when it failed or took too long."""
        with self.lock:
            process = self._ensure_running()
            assert process.stdin is not None and process.stdout is not None
            try:
                _write_frame(process.stdin, json.dumps(job).encode())
                _write_frame(process.stdin, data)
                process.stdin.flush()
                ready, _, _ = select.select([process.stdout], [], [], timeout)
                if not ready:
                    raise TimeoutError
                reply: dict[str, Any] = json.loads(_read_frame(process.stdout))
            except (OSError, EOFError, ValueError) as exc:  # TimeoutError is an OSError
                logger.error("PDF check helper failed (%r); restarting it", exc)
                self.stop()
                return None
            return reply


_helper = _Helper()


def helper_warm() -> None:
    """Start this process's helper now, so that the first check does not wait for its imports (~1 s)."""
    _helper.warm()


def run_isolated(
    data: bytes,
    *,
    trust_roots: Sequence[bytes],
    field_name: str,
    cpu_seconds: int = CPU_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    wall_seconds: float = WALL_SECONDS,
) -> Run:
    """``inspect_pdf`` in a fresh limited child; a child stopped by a limit gives TOO_COMPLEX."""
    started = time.monotonic()
    job = {
        "trust_roots": [base64.b64encode(root).decode() for root in trust_roots],
        "field_name": field_name,
        "cpu_seconds": cpu_seconds,
        "memory_bytes": memory_bytes,
        "wall_seconds": wall_seconds,
    }
    reply = _helper.ask(job, data, timeout=wall_seconds + _HELPER_GRACE_SECONDS)
    if reply is None:
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail="checking helper failed")
        reply = {"exit_signal": 0, "cpu_seconds": 0.0}
    elif "inspection" in reply:
        found = _decode(reply["inspection"])
    elif reply["timed_out"]:
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail=f"no answer within {wall_seconds:g} s")
    elif reply.get("out_of_memory"):
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail="memory limit")
    elif reply["exit_signal"] in (signal.SIGXCPU, signal.SIGKILL):
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail="CPU limit")
    elif reply["exit_signal"]:
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail=f"child ended by signal {reply['exit_signal']}")
    else:
        found = Inspection(outcome=Outcome.TOO_COMPLEX, detail="child failed")
    return Run(
        inspection=found,
        exit_signal=int(reply["exit_signal"]),
        child_cpu_seconds=float(reply["cpu_seconds"]),
        wall_seconds=time.monotonic() - started,
    )


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
