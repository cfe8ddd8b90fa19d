"""The correlator thread: order kept, backlog taken in one call, a repeat never new together with its event."""

from __future__ import annotations

import threading
import time
from collections import deque

from correlate.live import CorrelatorThread, take


def test_take_joins_leading_batches_until_an_id_repeats() -> None:
    queue: deque[list[str]] = deque([["a", "b"], ["c"], ["a"], ["d"]])
    assert take(queue, str) == ["a", "b", "c"]
    assert take(queue, str) == ["a", "d"]
    assert not queue
    assert take(deque([["x", "x"]]), str) == ["x", "x"]  # one batch is always taken whole


def test_batches_queued_meanwhile_are_correlated_together_in_order() -> None:
    calls: list[list[str]] = []
    gate = threading.Event()

    def process(events: list[str]) -> None:
        calls.append(events)
        gate.wait(5)

    worker = CorrelatorThread(process, key=str).start()
    worker.submit(["e1"])
    while not calls:
        time.sleep(0.01)
    for batch in (["e2", "e3"], ["e4"], ["e5"]):  # arrive while e1 is being correlated
        worker.submit(batch)
    gate.set()
    assert worker.drain(5)
    assert calls == [["e1"], ["e2", "e3", "e4", "e5"]]
    assert worker.stop(5)


def test_submit_waits_while_too_much_is_queued_and_stop_correlates_the_rest() -> None:
    done: list[str] = []
    gate, started = threading.Event(), threading.Event()

    def process(events: list[str]) -> None:
        started.set()
        gate.wait(5)
        done.extend(events)

    worker = CorrelatorThread(process, key=str, max_pending=2).start()
    worker.submit(["a"])
    assert started.wait(5)
    worker.submit(["b", "c"])  # a is taken; b, c fill the queue
    blocked = threading.Thread(target=worker.submit, args=(["d"],))
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()  # backpressure
    gate.set()
    blocked.join(5)
    assert worker.stop(5)
    assert done == ["a", "b", "c", "d"]


def test_a_failing_batch_does_not_end_the_thread() -> None:
    done: list[str] = []

    def process(events: list[str]) -> None:
        if "bad" in events:
            raise RuntimeError("graph down")
        done.extend(events)

    worker = CorrelatorThread(process, key=str).start()
    worker.submit(["bad"])
    assert worker.drain(5)
    worker.submit(["good"])
    assert worker.drain(5) and worker.stop(5)
    assert done == ["good"] and worker.failures == 1


def test_waiting_grows_while_the_correlator_is_behind_and_is_zero_once_it_caught_up() -> None:
    gate, started = threading.Event(), threading.Event()

    def process(events: list[str]) -> None:
        started.set()
        gate.wait(5)

    worker = CorrelatorThread(process, key=str).start()
    assert worker.waiting_s() == 0.0 and worker.pending == 0
    worker.submit(["a"])
    assert started.wait(5)
    worker.submit(["b", "c"])  # queued behind the call under way
    first = worker.waiting_s()
    time.sleep(0.2)
    assert worker.waiting_s() >= first + 0.2 - 0.01  # counted from a's submission, still under way
    assert worker.pending == 2
    gate.set()
    assert worker.drain(5)
    assert worker.waiting_s() == 0.0 and worker.pending == 0
    assert worker.stop(5)
