"""What users reach for instead of their own pool: joblib and mpire, with their defaults
(docs/libraries.md). The libraries are imported only when a pool starts, so a machine
without one still plans, lists and reads results; :func:`unavailable` says which
strategies cannot run here and why.
"""
from __future__ import annotations

import sys

from bench.strategies.base import REGISTRY
from bench.strategies.libraries import with_joblib, with_mpire  # noqa: F401 - each registers its own
from bench.strategies.libraries.pools import missing
from bench.texts import messages

STRATEGIES = tuple(cls for cls in REGISTRY.values() if cls.library)   # each module registers its own
LIBRARY_OF = {cls.name: cls.library for cls in STRATEGIES}
# with the libraries' defaults: the naive baselines a review shows next to the pick, for a
# task without state and for one with a model per worker (each class's library_default)
DEFAULTS = tuple(cls.name for cls in STRATEGIES if "stateless" in cls.library_default)
POSE_DEFAULTS = tuple(cls.name for cls in STRATEGIES if "stateful" in cls.library_default)


def unavailable(names) -> dict[str, list[str]]:
    """{reason: [strategy, ...]} for the named library strategies whose library is missing."""
    out: dict[str, list[str]] = {}
    for name in names:
        library = getattr(REGISTRY.get(name), "library", "")    # read at each call: any registered
        why = missing(library) if library else None
        if why is not None:
            out.setdefault(why, []).append(name)
    return out


_SAID: set = set()      # missing libraries already named in this run


def installed(names) -> list:
    """``names`` without the library strategies whose library is missing here; each
    missing library is said once per run, in one line on stderr."""
    gone = unavailable(names)
    for why, skipped in gone.items():
        if why not in _SAID:
            _SAID.add(why)
            print(messages.LIBRARY_SKIPPED.format(strategies=", ".join(skipped), why=why), file=sys.stderr)
    dropped = {n for skipped in gone.values() for n in skipped}
    return [n for n in names if n not in dropped]


__all__ = ["DEFAULTS", "LIBRARY_OF", "POSE_DEFAULTS", "STRATEGIES", "installed", "unavailable"]
