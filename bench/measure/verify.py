"""Prove that a parallel strategy produced exactly what the serial loop produces: the same
files and bytes (imwrite), digests (imencode) or landmarks (pose), in input order
(docs/measurements.md#verification, docs/pose.md#verification).
"""
from __future__ import annotations

import os
from collections import Counter


class VerificationError(Exception):
    """The strategy's output differs from the serial strategy's."""


def check_names(workload, out_dir: str, count: int) -> None:
    """Cheap check done on every case: every expected file is there once, nothing else."""
    expected = set(workload.expected_names(count))
    listed = workload.with_output(out_dir).written_names
    names = listed() if listed is not None else os.listdir(out_dir)
    twice = sorted(name for name, n in Counter(names).items() if n > 1)
    if twice:
        raise VerificationError(f"output differs from serial: {len(twice)} file(s) written "
                                f"more than once (first: {twice[0]})")
    _raise_on_difference(expected, set(names), what="file")


def _raise_on_difference(expected: set, found: set, what: str) -> None:
    missing, extra = sorted(expected - found), sorted(found - expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} {what}(s) missing (first: {missing[0]})")
        if extra:
            parts.append(f"{len(extra)} unexpected {what}(s) (first: {extra[0]})")
        raise VerificationError("output differs from serial: " + "; ".join(parts))


def outputs_of_sample(workload, results: list, indices: list[int], count: int) -> dict:
    """The outputs of the items at ``indices`` of a set of ``count`` (``results`` are
    theirs, in that order), keyed as a pass over the whole set keys them.

    Keys by file name are right already; keys by position in ``results`` are moved from
    the sample's positions to the set's. Which keys are positional is asked of the
    workload: its outputs of as many results as the highest index needs, no folder read."""
    got = workload.outputs(results, len(results))
    if list(indices) == list(range(len(results))):
        return got                                   # the whole set, or its first items
    import tempfile

    span = max(indices) + 1
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as empty:
        positional = list(workload.with_output(empty).outputs([results[0]] * span, span))
    if not positional:
        return got
    if len(positional) != span:
        raise ValueError(f"{type(workload).__name__}.outputs keys {len(positional)} outputs for "
                         f"{span} items: neither by position nor by file name")
    in_sample = positional[:len(results)]
    out = {positional[i]: got[key] for key, i in zip(in_sample, indices)}
    named = set(in_sample)
    out.update((k, v) for k, v in got.items() if k not in named)
    return out


def compare_outputs(workload, reference: dict, got: dict, sample_only: bool = False) -> int:
    """Raise :class:`VerificationError` unless ``got`` holds the serial loop's outputs;
    return how many were compared. ``sample_only``: the reference covers a sample of the
    set, so ``got`` may hold more; only the reference's keys are compared."""
    found = set(got) & set(reference) if sample_only else set(got)
    _raise_on_difference(set(reference), found, what="output")
    differing = sorted(k for k in reference if workload.differs(reference[k], got[k]))
    if differing:
        first = differing[0]
        describe = workload.describe_difference
        detail = f": {describe(reference[first], got[first])}" if describe is not None else ""
        raise VerificationError(
            f"output differs from serial: {len(differing)} of {len(reference)} outputs differ "
            f"(first: {first}{detail})")
    return len(reference)
