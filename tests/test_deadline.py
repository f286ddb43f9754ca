"""deadline.within: work past its deadline is stopped with TooSlow, work that grows the process too much
with TooBig, in any thread and in forked children."""
from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from showcase.deadline import TooBig, TooSlow, within

TURNS = 300_000_000  # about 10 s of Python work: when it is not stopped, the test fails (it does not hang)


def busy() -> int:
    """Python work that would run far past any deadline below, swallowing every ordinary exception."""
    done = 0
    for done in range(TURNS):
        try:
            pass
        except Exception:  # TooSlow is a BaseException: this does not stop it
            pass
    return done


def test_work_past_its_deadline_is_stopped():
    started = time.monotonic()
    with pytest.raises(TooSlow):
        with within(0.3):
            busy()
    assert 0.3 <= time.monotonic() - started < 5


def test_work_that_grows_the_process_too_much_is_stopped():
    kept = []
    with pytest.raises(TooBig):
        with within(60, 32 * 2**20):
            for _ in range(1000):  # 250 MB if not stopped
                kept.append(b"x" * 262144)
                sum(range(20000))  # slowly enough for the watcher to look in between
    assert 32 * 2**20 <= len(kept) * 262144 < 250 * 2**20


def test_work_that_stays_small_is_left_alone():
    with within(60, 32 * 2**20):
        for _ in range(300):
            piece = b"x" * 262144  # 75 MB made in all, never more than one piece held
            sum(range(20000))
    assert len(piece) == 262144


def test_work_done_in_time_is_left_alone_and_nothing_arrives_later():
    with within(0.5):
        total = sum(range(1000))
    deadline_passed = time.monotonic() + 0.9
    while time.monotonic() < deadline_passed:  # running Python code past the old deadline: no stray TooSlow
        total += 1
    assert total > 499500


def test_each_piece_of_work_gets_its_own_deadline():
    for _ in range(20):
        with within(0.3):
            time.sleep(0.02)
    with pytest.raises(TooSlow):
        with within(0.3):
            busy()


def test_work_in_another_thread_is_stopped_and_the_main_thread_is_not():
    outcome = []

    def work() -> None:
        try:
            with within(0.3):
                busy()
            outcome.append("finished")
        except TooSlow:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert outcome == ["stopped"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_work_in_a_forked_child_is_stopped():
    with within(5):  # the parent's watcher is running when the child is forked
        pid = os.fork()
        if pid == 0:  # the child: the parent's watching thread did not come along
            try:
                with within(0.3):
                    busy()
                code = 1
            except TooSlow:
                code = 0
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
