"""How images reach the work: every strategy by name (``base`` the interface and shared
pieces; a library or engine a strategy drives is imported only when its pool starts).
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
