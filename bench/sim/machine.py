"""A simulated machine (docs/sim.md): MACHINE.json read, checked and asked what is true.

It holds no randomness (``bench.sim.passes`` draws the noise). Every mistake in a file
raises ValueError with one line that names the field (the command line exits 2 on it).
"""
from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass

from bench.texts import messages as msg

GIB = 1024 ** 3

FIELDS = ("description", "cpus", "memory_gib", "serial_s_per_image", "speedup",
          "pool_start_s_per_worker", "noise_cv", "drift_cv_per_min", "stall_p", "stall_factor",
          "planted")
# the required fields and what each is for (the missing-field message says it)
REQUIRED = {
    "cpus": "how many CPUs the planner sees",
    "memory_gib": "the memory the planner may size image sets by, in GiB",
    "serial_s_per_image": "the serial loop's seconds per image (one figure, or one per group)",
    "speedup": "each strategy's true speedup over the serial loop, and a \"default\" curve",
}
DEFAULT = "default"
USL_FIELDS = ("sigma", "kappa", "scale")
PLANTED_FIELDS = ("strategies", "workers")
# a group key as a plan writes it: workload/WxHxC-content-nCOUNT/params
_PLAN_GROUP = re.compile(r"^([^/\s]+)/(\d+x\d+x\d+)-([A-Za-z]+)-n\d+(?:/.*)?$")


def usl(workers: float, sigma: float, kappa: float, scale: float = 1.0) -> float:
    """Gunther's universal scalability law: throughput at ``workers`` relative to the
    serial loop, with contention ``sigma`` and coherence cost ``kappa``."""
    n = float(workers)
    return scale * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))


def usl_peaking_at(n_star: float, sigma: float) -> float:
    """The kappa that makes a USL curve with contention ``sigma`` peak at ``n_star``
    workers (its maximum is at sqrt((1 - sigma) / kappa))."""
    argument(is_number(n_star) and n_star >= 1, n_star, "n_star", "a number >= 1")
    argument(is_number(sigma) and 0 <= sigma < 1, sigma, "sigma", "in [0, 1)")
    return (1.0 - sigma) / float(n_star) ** 2


@dataclass(frozen=True)
class Usl:
    sigma: float
    kappa: float
    scale: float = 1.0

    def __call__(self, workers: float) -> float:
        return usl(workers, self.sigma, self.kappa, self.scale)


@dataclass(frozen=True)
class Points:
    """Measured-looking points, joined by straight lines in log workers (doubling the
    workers is one step, as a worker ladder climbs) and flat past either end."""
    workers: tuple
    speedups: tuple

    def __call__(self, workers: float) -> float:
        ws, ss = self.workers, self.speedups
        if workers <= ws[0]:
            return ss[0]
        if workers >= ws[-1]:
            return ss[-1]
        i = bisect.bisect_right(ws, workers)
        lo, hi = math.log(ws[i - 1]), math.log(ws[i])
        t = (math.log(workers) - lo) / (hi - lo)
        return ss[i - 1] + t * (ss[i] - ss[i - 1])


@dataclass(frozen=True)
class Machine:
    cpus: int
    memory_gib: float
    # {group key or "default": seconds}; one figure for every group is {"default": s}
    serial: dict
    curves: dict                       # {strategy or "default": Usl | Points}
    pool_start: dict                   # {strategy or "default": seconds per worker}
    noise_cv: float = 0.0
    drift_cv_per_min: float = 0.0
    stall_p: float = 0.0
    stall_factor: float = 1.0
    description: str = ""
    planted: tuple | None = None       # ((strategy, ...), workers)

    @classmethod
    def load(cls, path) -> "Machine":
        """The machine in a JSON file; ValueError with one line naming the file and field."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError) as e:     # UnicodeDecodeError is a ValueError too
            raise ValueError(msg.SIM_IN_FILE.format(
                path=path, error=msg.SIM_UNREADABLE.format(error=_one_line(e)))) from None
        except ValueError as e:
            raise ValueError(msg.SIM_IN_FILE.format(
                path=path, error=msg.SIM_NOT_JSON.format(error=_one_line(e)))) from None
        try:
            return cls.from_dict(data)
        except ValueError as e:
            raise ValueError(msg.SIM_IN_FILE.format(path=path, error=e)) from None

    @classmethod
    def from_dict(cls, d) -> "Machine":
        """The machine ``d`` describes; ValueError with one line naming the field."""
        if not isinstance(d, dict):
            raise ValueError(msg.SIM_NOT_OBJECT.format(field="a machine", value=show(d)))
        _fields(d, FIELDS, REQUIRED, "the machine")
        cpus = _whole(d["cpus"], "cpus", 1)
        memory = _number(d["memory_gib"], "memory_gib", low=0, low_open=True)
        # groups need no default: a machine may name just the groups it is raced on, and
        # a group it does not name is refused where it is asked for
        serial = _per_key(d["serial_s_per_image"], "serial_s_per_image", per_strategy=False)
        curves = _curves(d["speedup"])
        pool_start = _per_key(d.get("pool_start_s_per_worker", 0.0), "pool_start_s_per_worker",
                              per_strategy=True)
        noise = _number(d.get("noise_cv", 0.0), "noise_cv", low=0)
        drift = _number(d.get("drift_cv_per_min", 0.0), "drift_cv_per_min", low=0)
        stall_p = _number(d.get("stall_p", 0.0), "stall_p", low=0, high=1)
        if stall_p > 0 and "stall_factor" not in d:
            raise ValueError(msg.SIM_STALL_FACTOR.format(stall_p=show(stall_p)))
        stall_factor = _number(d.get("stall_factor", 1.0), "stall_factor", low=1)
        description = d.get("description", "")
        if not isinstance(description, str):
            raise ValueError(msg.SIM_TEXT.format(field="description", value=show(description)))
        planted = _planted(d["planted"], curves) if "planted" in d else None
        return cls(cpus=cpus, memory_gib=memory, serial=serial, curves=curves,
                   pool_start=pool_start, noise_cv=noise, drift_cv_per_min=drift,
                   stall_p=stall_p, stall_factor=stall_factor, description=description,
                   planted=planted)

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gib * GIB)

    def true_speedup(self, strategy: str, workers: float) -> float:
        """How many times faster than the serial loop ``strategy`` runs at ``workers``,
        before any noise (the serial loop: 1)."""
        argument(is_number(workers) and workers >= 1, workers, "workers", "a number >= 1")
        if strategy == "serial":
            return 1.0
        return float(self.curves.get(strategy, self.curves[DEFAULT])(workers))

    def true_ranking(self, strategies, max_workers) -> list:
        """Every (strategy, workers, speedup) at the counts ``max_workers`` allows (a number:
        1 to it; a list: those), fastest first; ties: the order given, then fewer workers."""
        counts = _worker_counts(max_workers)
        rows = [(name, w, self.true_speedup(name, w), order) for order, name in enumerate(strategies)
                for w in ([1] if name == "serial" else counts)]
        rows.sort(key=lambda r: (-_rounded(r[2]), r[3], r[1]))
        return [(name, w, s) for name, w, s, _ in rows]

    def true_best(self, strategies, max_workers) -> tuple:
        """(strategy, workers, speedup): the fastest configuration ``true_ranking`` lists."""
        ranking = self.true_ranking(strategies, max_workers)
        if not ranking:
            raise ValueError(msg.SIM_ARGUMENT.format(what="strategies", bound="at least one name",
                                                     value="none"))
        return ranking[0]

    def serial_s_per_image(self, group: str | None = None) -> float:
        """The serial loop's seconds per image in ``group`` (a machine file's key or a
        plan's group key), the most specific key the machine names first (docs/sim.md)."""
        for key in _group_keys(group):
            if key in self.serial:
                return self.serial[key]
        raise ValueError(msg.SIM_NO_GROUP.format(group=group, named=", ".join(self.serial)))

    def pool_start_s(self, strategy: str, workers: int) -> float:
        """Seconds a pool of ``workers`` takes to start: the per-worker figure times workers."""
        if strategy == "serial":
            return 0.0
        return self.pool_start.get(strategy, self.pool_start[DEFAULT]) * workers


def _group_keys(group: str | None) -> list:
    if group is None:
        return [DEFAULT]
    text = str(group).strip()
    m = _PLAN_GROUP.match(text)
    parts = list(m.groups()[:3]) if m else text.split()
    keys = [text] + [" ".join(parts[:i]) for i in range(len(parts), 0, -1)]
    return list(dict.fromkeys(keys)) + [DEFAULT]


def _worker_counts(max_workers) -> list:
    if isinstance(max_workers, (list, tuple, range, set, frozenset)):
        return sorted({_whole(w, "workers", 1) for w in max_workers})
    return list(range(1, _whole(max_workers, "max_workers", 1) + 1))


def _rounded(x: float) -> float:
    """A speedup to 12 significant digits: two curves written alike (an A/A machine's
    twins, points against the USL they were read off) tie instead of ranking by the last
    bits of their arithmetic."""
    return float(f"{x:.12g}")


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def argument(ok: bool, v, what: str, bound: str):
    """``v``, or where not ``ok`` the one-line ValueError that names the argument."""
    if not ok:
        raise ValueError(msg.SIM_ARGUMENT.format(what=what, bound=bound, value=show(v)))
    return v


def show(v) -> str:
    text = json.dumps(v) if not isinstance(v, str) else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def _bound(low, high, low_open) -> str:
    if high is not None:
        return f"from {low} to {high}"
    return f"> {low}" if low_open else f">= {low}"


def _number(v, name: str, low=None, high=None, low_open=False) -> float:
    if not (is_number(v) and (low is None or (v > low if low_open else v >= low))
            and (high is None or v <= high)):
        raise ValueError(msg.SIM_NUMBER.format(field=name, bound=_bound(low, high, low_open),
                                               value=show(v)))
    return float(v)


def _whole(v, name: str, low: int) -> int:
    if not (is_number(v) and float(v).is_integer() and v >= low):
        raise ValueError(msg.SIM_WHOLE.format(field=name, bound=f">= {low}", value=show(v)))
    return int(v)


def _fields(d: dict, known, required: dict, where: str, prefix: str = "") -> None:
    """No field but the ``known``, and every ``required`` one ({name: what it is for})."""
    for k in d:
        if k not in known:
            raise ValueError(msg.SIM_UNKNOWN_FIELD.format(field=k, where=where, fields=", ".join(known)))
    for k, what in required.items():
        if k not in d:
            raise ValueError(msg.SIM_MISSING.format(field=prefix + k, what=what))


def _check_strategy(name: str, where: str) -> None:
    from bench.strategies import STRATEGIES

    if name == "serial":
        raise ValueError(msg.SIM_SERIAL_CURVE.format(field=f"{where}.serial"))
    if name not in STRATEGIES:
        raise ValueError(msg.SIM_UNKNOWN_STRATEGY.format(
            field=where, name=name, known=", ".join(k for k in STRATEGIES if k != "serial")))


def _per_key(v, name: str, per_strategy: bool) -> dict:
    """One figure (for everything) or {key: figure, ...}: per group (seconds per image, > 0)
    or per strategy with a "default" (pool starts, >= 0)."""
    low_open = not per_strategy
    if not isinstance(v, dict):
        return {DEFAULT: _number(v, name, low=0, low_open=low_open)}
    if not v:
        raise ValueError(msg.SIM_NUMBER.format(field=name, bound=_bound(0, None, low_open),
                                               value=show(v)))
    if per_strategy and DEFAULT not in v:
        raise ValueError(msg.SIM_NO_DEFAULT.format(field=name,
                                                   what="the figure for strategies not named"))
    out = {}
    for key, figure in v.items():
        if per_strategy and key != DEFAULT:
            _check_strategy(key, name)
        out[str(key)] = _number(figure, f"{name}[{key!r}]", low=0, low_open=low_open)
    return out


def _curves(v) -> dict:
    if not isinstance(v, dict):
        raise ValueError(msg.SIM_NOT_OBJECT.format(field="speedup", value=show(v)))
    if DEFAULT not in v:
        raise ValueError(msg.SIM_NO_DEFAULT.format(field="speedup",
                                                   what="the curve for strategies not named"))
    out = {}
    for name, curve in v.items():
        if name != DEFAULT:
            _check_strategy(name, "speedup")
        out[name] = _curve(curve, f"speedup[{name!r}]")
    return out


def _curve(v, name: str):
    if isinstance(v, dict):
        _fields(v, USL_FIELDS, dict.fromkeys(("sigma", "kappa"), "a USL curve needs sigma and kappa"),
                name, prefix=f"{name}.")
        return Usl(sigma=_number(v["sigma"], f"{name}.sigma", low=0, high=1),
                   kappa=_number(v["kappa"], f"{name}.kappa", low=0),
                   scale=_number(v.get("scale", 1.0), f"{name}.scale", low=0, low_open=True))
    if not isinstance(v, list) or not v:
        raise ValueError(msg.SIM_CURVE.format(field=name, value=show(v)))
    workers, speedups = [], []
    for i, point in enumerate(v):
        if not (isinstance(point, list) and len(point) == 2):
            raise ValueError(msg.SIM_CURVE.format(field=name, value=show(v)))
        where = f"{name}, point {i + 1}'s"
        workers.append(_number(point[0], f"{where} workers", low=1))
        speedups.append(_number(point[1], f"{where} speedup", low=0, low_open=True))
    if any(b <= a for a, b in zip(workers, workers[1:])):
        raise ValueError(msg.SIM_POINTS_ORDER.format(field=name, workers=show(workers)))
    return Points(tuple(workers), tuple(speedups))


def _planted(v, curves: dict) -> tuple:
    if not isinstance(v, dict):
        raise ValueError(msg.SIM_NOT_OBJECT.format(field="planted", value=show(v)))
    _fields(v, PLANTED_FIELDS,
            dict.fromkeys(PLANTED_FIELDS, "the best strategies (a list) and their workers"),
            "planted", prefix="planted.")
    names = v["strategies"]
    if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
        raise ValueError(msg.SIM_NAMES.format(field="planted.strategies", value=show(names)))
    for n in names:
        if n not in curves or n == DEFAULT:
            raise ValueError(msg.SIM_NOT_STRATEGY_IN_MACHINE.format(name=n))
    return tuple(names), _whole(v["workers"], "planted.workers", 1)
