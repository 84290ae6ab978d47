"""Deliberately misbehaving workloads, for testing how ``bench`` survives faults.

Accepted in ``--workloads``, never listed (docs/failures.md). Each fails in one way, on
the first image it sees. ``BENCH_FAULT_TAG`` names fault-hang's shared-memory segment
``bench-fault-<tag>``, so a test can check that exactly that segment is gone.
"""
from __future__ import annotations

import operator
import os
import signal
import time
from dataclasses import dataclass, field

from workloads.base import Workload, register

_keep = []   # shared-memory handles kept alive until the process dies


def shm_name() -> str:
    return "bench-fault-" + (os.environ.get("BENCH_FAULT_TAG") or str(os.getpid()))


@dataclass(frozen=True)
class _FaultWorkload(Workload):
    out_dir: str = ""
    name: str = field(default="fault", init=False)
    needs_verify_pass = True
    kind = "fault"
    label = "fault"
    differs = staticmethod(operator.ne)

    @classmethod
    def from_params(cls, params: dict):
        return cls()          # codec settings from the CLI are ignored

    def expected_names(self, count: int) -> list[str]:
        return [str(i) for i in range(count)]

    def outputs(self, results, count: int) -> dict:
        return {str(i): r for i, r in enumerate(results)}


class RaiseWorkload(_FaultWorkload):
    """Raises ``RuntimeError`` (in the pool worker, or the case process for ``serial``)."""
    rank = 900
    def process(self, index, image):
        raise RuntimeError(f"deliberate fault: fault-raise on image {index}")


class KillWorkerWorkload(_FaultWorkload):
    """SIGKILLs the process running the task, as the OOM killer would."""
    rank = 910
    def process(self, index, image):
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(60)        # never reached


class HangWorkload(_FaultWorkload):
    """Makes a shared-memory segment and a file, then sleeps until the case timeout."""
    rank = 920
    def process(self, index, image):
        from multiprocessing import shared_memory

        try:
            _keep.append(shared_memory.SharedMemory(name=shm_name(), create=True, size=4096))
        except FileExistsError:    # another worker of the same case got there first
            pass
        if self.out_dir:
            with open(os.path.join(self.out_dir, f"hang-{os.getpid()}.tmp"), "w") as fh:
                fh.write("half-written output\n")
        while True:
            time.sleep(3600)


register(RaiseWorkload, "fault-raise")
register(KillWorkerWorkload, "fault-kill-worker")
register(HangWorkload, "fault-hang")
