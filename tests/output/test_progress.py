"""The progress display: elapsed time and an ETA that moves while a visit runs."""
import io
import time

from bench.output import progress as prog
from bench.plan.planner import RACE


class Plan:
    def __init__(self):
        self.budget_s, self.estimate_s, self.policy = 60.0, 30.0, RACE
        self.groups = [type("G", (), {"estimate": lambda self: 10.0})() for _ in range(3)]


class State:
    key, rounds, outcome, duration_s = "imwrite/8x8x1-noise-n4/jpg-q95", 2, "tie", 1.5
    configs = {"a": None, "b": None}

    def racing(self):
        return []


def test_a_terminal_line_is_redrawn_while_nothing_reports(monkeypatch):
    monkeypatch.setattr(prog, "TICK_S", 0.05)
    stream = io.StringIO()
    p = prog.Progress(Plan(), time.perf_counter(), stream=stream, tty=True)
    p.group("imwrite/8x8x1-noise-n4/jpg-q95", 5, time.perf_counter() + 8.0)
    time.sleep(0.4)                              # a long visit: nobody reports anything
    p.close()
    etas = [line.split("ETA ")[1][:4] for line in stream.getvalue().split("\r") if "ETA " in line]
    assert len(etas) >= 4                        # redrawn on its own, several times
    assert etas[0] >= etas[-1]                   # and the ETA does not grow while time passes


def test_a_log_gets_a_line_per_round_with_elapsed_and_eta():
    stream = io.StringIO()
    p = prog.Progress(Plan(), time.perf_counter(), stream=stream, tty=False)
    p.group("imwrite/8x8x1-noise-n4/jpg-q95", 2, time.perf_counter() + 5.0)
    p.round(State())
    p.group_done("imwrite/8x8x1-noise-n4/jpg-q95", State())
    p.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[1/3] imwrite/8x8x1-noise-n4/jpg-q95: 2 configurations"
    assert "round 2: 0 of 2 still racing" in lines[1] and "elapsed 0:00, ETA 0:" in lines[1]
    assert lines[2].endswith("2 rounds in 2 s, ended by a tie")
    assert "\r" not in stream.getvalue()        # no terminal control codes in a log


def test_clock():
    assert prog.clock(0) == "0:00" and prog.clock(75.4) == "1:15" and prog.clock(-3) == "0:00"
