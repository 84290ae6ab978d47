"""A case: one workload x image set x strategy x workers x chunk size x start method,
named as a results file, ``list`` and ``--resume`` know it."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from bench.strategies import STRATEGIES
from workloads.images import ImageSetSpec
from workloads.registry import workload_class


class _cached:
    """A property computed once per instance into its ``__dict__``: functools.cached_property
    without its lock (Python < 3.12), which costs more than the values it saves."""

    def __init__(self, fn):
        self.fn, self.__doc__ = fn, fn.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


@dataclass(frozen=True)
class Case:
    workload: str
    images: ImageSetSpec
    params: dict          # the workload's parameters (codec settings, model options)
    strategy: str
    workers: int = 1
    chunk_size: int | None = None
    start_method: str | None = None
    cv_threads: int | None = None   # cv2.setNumThreads in every worker; None = OpenCV's default
    chunk_rule: str | None = None   # "auto" (follows images/workers) or None (a fixed size)
    out_layout: str | None = None   # "per-task": a folder per task (imwrite); None = one folder

    # cached: a plan asks for these tens of thousands of times, each rebuilding the workload;
    # eq, repr, asdict and replace() read only the fields, so the cache changes none of them
    @_cached
    def family(self) -> str:
        return STRATEGIES[self.strategy].family

    @_cached
    def group(self) -> str:
        """The workload and inputs: cases of one group are comparable with each other."""
        if workload_class(self.workload).fixed_group:
            return f"{self.workload}/{self.label}"
        return f"{self.workload}/{self.images.label}-n{self.images.count}/{self.label}"

    @_cached
    def label(self) -> str:
        return workload_class(self.workload).from_params(self.params).label

    @_cached
    def name(self) -> str:
        optional = (("c{}", self.chunk_size), ("{}", self.start_method), ("cv{}", self.cv_threads),
                    ("{}-dirs", self.out_layout))
        return "/".join([self.group, self.strategy, f"w{self.workers}"]
                        + [form.format(value) for form, value in optional if value is not None])

    def as_dict(self) -> dict:
        return dict(asdict(self), images=self.images.as_dict())

    @classmethod
    def from_dict(cls, d: dict) -> "Case":
        return cls(**dict(d, images=ImageSetSpec.from_dict(d["images"])))


def unique_cases(cases: list[Case]) -> list[Case]:
    """Drop repeated cases (same name), keeping the first."""
    seen, ordered = set(), []
    # cases made together share their workload, params and image set (the same objects):
    # their group is the same string, made once (a plan makes thousands of such cases)
    made = {}
    for c in cases:
        if "group" not in c.__dict__:           # not made yet (_cached keeps it there)
            key = (c.workload, id(c.params), id(c.images))
            if key in made:
                c.__dict__["group"] = made[key]
            else:
                made[key] = c.group
        if c.name not in seen:
            seen.add(c.name)
            ordered.append(c)
    return ordered
