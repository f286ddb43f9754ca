"""Stopping work that runs too long or grows too big: a page whose template loops without end, or
doubles a text in a loop, must neither hang a build nor fill the machine's memory.

``within(seconds, memory)`` wraps one piece of work in the calling thread.  If it is still running
after that many seconds, ``TooSlow`` is raised inside it, wherever it is (a Jinja2 loop, a filter);
if the process has grown by more than memory bytes since the work began, ``TooBig``.  One watching
thread per process (a forked worker starts its own) looks 20 times a second, measuring the process's
resident size each time (psutil, the same call on Linux, Windows and macOS: 25 µs); entering and
leaving costs a lock and two dictionary operations, so every page can be watched.  The exception is
delivered with CPython's ``PyThreadState_SetAsyncExc``, which works in any thread on every platform,
between two bytecodes: a single long call into C finishes first.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time

import psutil

LOOK_EVERY = 0.05  # seconds between the watcher's looks: how late past a limit work is stopped at most


class Stopped(BaseException):
    """Raised inside work that passed a limit (a BaseException, so no ``except Exception`` on the way swallows it)."""


class TooSlow(Stopped):
    """Raised inside work that ran past its deadline."""


class TooBig(Stopped):
    """Raised inside work during which the process grew by more than its allowance."""


class _Watcher:
    """The limits of this process's threads' work, and the thread that enforces them."""

    def __init__(self):
        self.pid: int | None = None
        self.lock = threading.Lock()
        self.limits: dict[int, tuple[float, float]] = {}  # thread id → (monotonic deadline, largest resident size)
        self.fired: set[int] = set()  # threads sent an exception that have not left their work yet
        self.resident = 0  # the process's resident size at the watcher's last look, in bytes

    def start(self, thread: int, seconds: float, memory: float) -> None:
        """Give the thread's work its limits, starting the watching thread in this process if needed."""
        if self.pid != os.getpid():  # first use here, or a forked child: the parent's thread and lock stayed behind
            self.pid, self.lock, self.limits, self.fired = os.getpid(), threading.Lock(), {}, set()
            self.resident = _resident()
            threading.Thread(target=self._watch, name="showcase-deadline", daemon=True).start()
        with self.lock:
            self.limits[thread] = (time.monotonic() + seconds, self.resident + memory)

    def stop(self, thread: int) -> None:
        """End the thread's limits; an exception sent but not yet delivered is withdrawn."""
        with self.lock:
            self.limits.pop(thread, None)
            if thread in self.fired:
                self.fired.discard(thread)
                _send(thread, None)

    def _watch(self) -> None:
        """Every LOOK_EVERY seconds, raise TooSlow in each thread past its deadline, TooBig in each past its size."""
        while True:
            time.sleep(LOOK_EVERY)
            now, resident = time.monotonic(), _resident()
            with self.lock:
                self.resident = resident
                for thread, (deadline, largest) in list(self.limits.items()):
                    if now > deadline or resident > largest:
                        del self.limits[thread]
                        self.fired.add(thread)
                        _send(thread, TooSlow if now > deadline else TooBig)


def _resident() -> float:
    """The bytes of memory this process holds (infinite where the system will not say: no size limit then)."""
    try:
        return psutil.Process(os.getpid()).memory_info().rss
    except (psutil.Error, OSError):
        return float("inf")


def _send(thread: int, exception: type[BaseException] | None) -> None:
    """Raise exception in thread at its next bytecode (None withdraws one not yet raised)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None)


_WATCHER = _Watcher()


@contextlib.contextmanager
def within(seconds: float, memory: float = float("inf")):
    """Run the body of the with-statement; raise TooSlow inside it once it has run for seconds,
    TooBig once the process has grown by more than memory bytes."""
    thread = threading.get_ident()
    _WATCHER.start(thread, seconds, memory)
    try:
        yield
    finally:
        _WATCHER.stop(thread)
