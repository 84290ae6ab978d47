"""A group's case processes: after a process dies, the one that died is replaced, and only it."""
from types import SimpleNamespace

from bench.run.case_process import CommandFailed, ProcessDied
from bench.run.group_processes import GroupProcesses


class FakeProcess:
    def __init__(self, number):
        self.number, self.killed = number, False

    def answering(self):
        return not self.killed

    def kill(self):
        self.killed = True


def split_group():
    """A task with a model and a forking pool: a serial process and a fork process."""
    started = []

    def start(setup):
        started.append(FakeProcess(len(started)))
        return started[-1]

    fork_pool = SimpleNamespace(strategy="processes", start_method="fork")
    plan = SimpleNamespace(has_model=True, entrants=[SimpleNamespace(strategy="serial", start_method=None),
                                                     fork_pool])
    procs = GroupProcesses(start, lambda proc: None, {}, plan)
    assert procs.split and procs.for_case(fork_pool) is procs.fork
    return procs, started


def test_a_serial_pass_that_hangs_in_a_forking_pools_visit_replaces_the_serial_process():
    procs, started = split_group()
    serial, fork = procs.serial, procs.fork
    serial.kill()                              # a call that times out kills its process
    procs.after_failure(ProcessDied("timed out"))
    assert procs.serial is not serial and procs.serial is started[-1]
    assert procs.fork is fork and not fork.killed


def test_a_fork_process_that_dies_is_replaced_and_the_serial_one_kept():
    procs, _ = split_group()
    serial, fork = procs.serial, procs.fork
    fork.kill()
    procs.after_failure(ProcessDied("died"))
    assert procs.fork is not fork and procs.serial is serial and not serial.killed


def test_a_failed_command_in_a_live_process_replaces_nothing():
    procs, started = split_group()
    procs.after_failure(CommandFailed("ValueError"))
    assert len(started) == 2
