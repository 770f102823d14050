"""`khuyencong serve` restarts a job worker that dies (finding 20), without spinning."""

import itertools

from khuyencong.kernel.management.commands.kc_serve import WorkerSupervisor, serve_loop


class FakeProcess:
    def __init__(self):
        self.returncode = None

    def poll(self):
        return self.returncode

    def die(self, code=-9):
        self.returncode = code


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make(clock):
    spawned: list[FakeProcess] = []

    def spawn():
        spawned.append(FakeProcess())
        return spawned[-1]

    supervisor = WorkerSupervisor(spawn, clock=clock, log=lambda text: None, max_delay=8, stable_after=60)
    return supervisor, spawned


def test_a_live_worker_is_left_alone():
    clock = Clock()
    supervisor, spawned = make(clock)
    for _ in range(5):
        clock.now += 1
        supervisor.check()
    assert len(spawned) == 1 and supervisor.restarts == 0


def test_a_dead_worker_is_restarted_at_once():
    clock = Clock()
    supervisor, spawned = make(clock)
    clock.now += 3600  # it ran for an hour, then died
    spawned[0].die()
    supervisor.check()
    assert len(spawned) == 2 and supervisor.process is spawned[1]


def test_a_worker_that_keeps_dying_is_restarted_after_growing_pauses():
    clock = Clock()
    supervisor, spawned = make(clock)
    starts = []
    for _ in range(60):  # a minute of checks, one per second; every worker dies at once
        clock.now += 1
        if supervisor.process is not None:
            supervisor.process.die(1)
        before = len(spawned)
        supervisor.check()
        if len(spawned) > before:
            starts.append(clock.now)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert gaps[:4] == [3, 5, 9, 9]  # 2, 4, 8 (the cap) seconds of pause, plus the check that saw the death
    assert len(spawned) < 12


def test_a_worker_that_ran_a_while_starts_the_pauses_over():
    clock = Clock()
    supervisor, spawned = make(clock)
    for _ in range(3):
        clock.now += 1
        spawned[-1].die()
        supervisor.check()
        clock.now += 10
        supervisor.check()
    clock.now += 3600
    spawned[-1].die()
    supervisor.check()
    assert supervisor.process is spawned[-1] and supervisor.process.poll() is None


def test_serve_loop_supervises_until_the_web_server_exits():
    clock = Clock()
    supervisor, spawned = make(clock)
    web = FakeProcess()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock.now += seconds
        if len(sleeps) == 2:
            spawned[-1].die()
        if len(sleeps) == 5:
            web.die(0)

    serve_loop(web, supervisor, stopping=lambda: False, sleep=sleep)
    assert len(sleeps) == 5 and len(spawned) == 2 and spawned[-1].poll() is None


def test_serve_loop_stops_when_asked():
    web = FakeProcess()
    serve_loop(web, None, stopping=lambda: True, sleep=lambda s: None)
    assert web.poll() is None
