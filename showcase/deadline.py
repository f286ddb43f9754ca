"""Stopping work that runs too long: a page whose template loops without end must not hang a build.

``within(seconds)`` wraps one piece of work in the calling thread; if it is still running after
that many seconds, ``TooSlow`` is raised inside it, wherever it is (a Jinja2 loop, a filter).
One watching thread per process (a forked worker starts its own) looks a few times a second;
entering and leaving costs a lock and two dictionary operations, so every page can be timed.
The exception is delivered with CPython's ``PyThreadState_SetAsyncExc``, which works in any
thread on every platform, between two bytecodes: a single long call into C finishes first.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time

LOOK_EVERY = 0.2  # seconds between the watcher's looks: how late past its deadline work is stopped at most


class TooSlow(BaseException):
    """Raised inside work that ran past its deadline (a BaseException, so no ``except Exception`` on the way swallows it)."""


class _Watcher:
    """The deadlines of this process's threads, and the thread that enforces them."""

    def __init__(self):
        self.pid: int | None = None
        self.lock = threading.Lock()
        self.deadlines: dict[int, float] = {}  # thread id → monotonic time by which its work must end
        self.fired: set[int] = set()  # threads sent TooSlow that have not left their work yet

    def start(self, thread: int, seconds: float) -> None:
        """Give the thread's work a deadline, starting the watching thread in this process if needed."""
        if self.pid != os.getpid():  # first use here, or a forked child: the parent's thread and lock stayed behind
            self.pid, self.lock, self.deadlines, self.fired = os.getpid(), threading.Lock(), {}, set()
            threading.Thread(target=self._watch, name="showcase-deadline", daemon=True).start()
        with self.lock:
            self.deadlines[thread] = time.monotonic() + seconds

    def stop(self, thread: int) -> None:
        """End the thread's deadline; a TooSlow sent but not yet delivered is withdrawn."""
        with self.lock:
            self.deadlines.pop(thread, None)
            if thread in self.fired:
                self.fired.discard(thread)
                _send(thread, None)

    def _watch(self) -> None:
        """Every LOOK_EVERY seconds, raise TooSlow in each thread past its deadline."""
        while True:
            time.sleep(LOOK_EVERY)
            now = time.monotonic()
            with self.lock:
                for thread, deadline in list(self.deadlines.items()):
                    if now > deadline:
                        del self.deadlines[thread]
                        self.fired.add(thread)
                        _send(thread, TooSlow)


def _send(thread: int, exception: type[BaseException] | None) -> None:
    """Raise exception in thread at its next bytecode (None withdraws one not yet raised)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None)


_WATCHER = _Watcher()


@contextlib.contextmanager
def within(seconds: float):
    """Run the body of the with-statement; raise TooSlow inside it once it has run for seconds."""
    thread = threading.get_ident()
    _WATCHER.start(thread, seconds)
    try:
        yield
    finally:
        _WATCHER.stop(thread)
