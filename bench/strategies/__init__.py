"""How images reach the work: every strategy by name.

``base`` holds the interface and the pieces strategies share, ``local`` the serial loop
and the pools of this machine, ``dask`` the cluster path (its engine is imported only
when a Dask case runs), ``libraries`` joblib and mpire as users call them (imported
only when their pool starts), ``mp_pool`` multiprocessing.Pool as scripts call it,
``decoded`` a set of files read in the parent before its pixels travel.
"""
from __future__ import annotations

from bench.strategies import dask, decoded, libraries, local, mp_pool
from bench.strategies.base import (START_METHODS, PoolConfig, Strategy, auto_chunk_size,
                                   default_start_method)

STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in local.STRATEGIES + dask.STRATEGIES + libraries.STRATEGIES
    + mp_pool.STRATEGIES + decoded.STRATEGIES}


def make_strategy(name: str, config: PoolConfig) -> Strategy:
    return STRATEGIES[name](config)


__all__ = ["START_METHODS", "STRATEGIES", "PoolConfig", "Strategy", "auto_chunk_size",
           "default_start_method", "make_strategy"]
