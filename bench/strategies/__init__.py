"""How images reach the work: every strategy by name.

``base`` holds the interface and the pieces strategies share, ``local`` the serial loop
and the pools of this machine, ``dask`` the cluster path (its engine is imported only
when a Dask case runs), ``libraries`` joblib and mpire as users call them (imported
only when their pool starts), ``mp_pool`` multiprocessing.Pool as scripts call it,
``decoded`` a set of files read in the parent before its pixels travel.
"""
from __future__ import annotations

from bench.strategies import dask, decoded, libraries, local, mp_pool  # noqa: F401 - each registers its own
from bench.strategies.base import (REGISTRY, START_METHODS, PoolConfig, Strategy, auto_chunk_size,
                                   default_start_method, register)

# every strategy by name, in simplicity order (bench.strategies.base.register): what each
# declares on its class is all the planner, the charts, the snippets and the tie-break use
STRATEGIES: dict[str, type[Strategy]] = REGISTRY


def named(**facts) -> tuple[str, ...]:
    """The registered strategies whose class attributes equal ``facts``, in simplicity order."""
    return tuple(n for n, cls in STRATEGIES.items()
                 if all(getattr(cls, k) == v for k, v in facts.items()))


def make_strategy(name: str, config: PoolConfig) -> Strategy:
    return STRATEGIES[name](config)


__all__ = ["START_METHODS", "STRATEGIES", "PoolConfig", "Strategy", "auto_chunk_size",
           "default_start_method", "make_strategy", "named", "register"]
