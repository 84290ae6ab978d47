"""How the OpenCV in use was built: its JPEG and PNG libraries, SIMD and parallel framework.

Two machines with the same OpenCV version can encode JPEG five times apart (libjpeg-turbo
with SIMD against plain libjpeg). :func:`parse` reads ``cv2.getBuildInformation()``,
CMake's status report whose layout shifts between versions, into flat pyperf metadata:
whatever is missing or unreadable becomes ``"unknown"``, never an error.
"""
from __future__ import annotations

import os
import re

UNKNOWN = "unknown"
NONE = "none"

# the key of each fact in a run's machine metadata
JPEG, JPEG_SIMD, PNG = "bench_cv2_jpeg", "bench_cv2_jpeg_simd", "bench_cv2_png"
SIMD_BASELINE, SIMD_DISPATCH = "bench_cv2_simd_baseline", "bench_cv2_simd_dispatch"
PARALLEL, VERSION = "bench_cv2_parallel", "bench_cv2_version"

# "JPEG:   build-libjpeg-turbo (ver 3.0.3-70)": where the library came from, its version
_LIBRARY = re.compile(r"^(?P<source>.*?)\s*\(ver\s*(?P<version>[^)]*)\)\s*$")
# a library named by its file: /usr/lib64/libjpeg.so.62, C:/libs/jpeg.lib
_LIBRARY_FILE = re.compile(r"\.(so|a|lib|dylib|dll|tbd)(\.[\w.]*)?$")


def _entries(text: str) -> list[tuple[int, str, str]]:
    """(indent, key, value) of every 'key: value' line of the report."""
    out = []
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip():
            out.append((len(line) - len(line.lstrip()), key.strip(), value.strip()))
    return out


def _find(entries, key: str, under: int | None = None) -> int | None:
    """The first entry named ``key`` (of those indented under entry ``under``)."""
    start, stop = 0, len(entries)
    if under is not None:
        start = stop = under + 1
        while stop < len(entries) and entries[stop][0] > entries[under][0]:
            stop += 1
    return next((i for i in range(start, stop) if entries[i][1] == key), None)


def _library(value: str, bundled_name: str) -> str:
    """'libjpeg-turbo 3.0.3-70' from 'build-libjpeg-turbo (ver 3.0.3-70)'; the bundled
    default ('build (ver 90)') by its library's name; 'none' for a codec left out; a
    system library without its path (the same library at two paths is no difference)."""
    if not value:
        return UNKNOWN
    if value.upper() == "NO":
        return NONE
    m = _LIBRARY.match(value)
    source, version = (m["source"], m["version"].strip()) if m else (value, "")
    if source == "build":
        name = bundled_name
    elif source.startswith("build-"):
        name = source[len("build-"):]
    else:
        name = _LIBRARY_FILE.sub("", os.path.basename(source.replace("\\", "/"))) or source
    name = name.strip() or UNKNOWN
    return f"{name} {version}" if version else f"{name} (version unknown)"


def _features(value: str) -> str:
    """'SSE4_1 SSE4_2 AVX2' as listed, one space apart; 'none' for an empty list."""
    words = value.split()
    return NONE if not words or words in (["NO"], ["-"]) else " ".join(words)


def parse(text) -> dict[str, str]:
    """The build facts of one ``cv2.getBuildInformation()`` text: every key present, no
    value empty."""
    facts = dict.fromkeys((JPEG, JPEG_SIMD, PNG, SIMD_BASELINE, SIMD_DISPATCH, PARALLEL), UNKNOWN)
    if not isinstance(text, str):
        return facts
    entries = _entries(text)

    media = _find(entries, "Media I/O")
    if media is not None:
        jpeg = _find(entries, "JPEG", media)
        if jpeg is not None:
            facts[JPEG] = _library(entries[jpeg][2], "libjpeg")
            simd = _find(entries, "SIMD Support", jpeg)
            if simd is not None:
                facts[JPEG_SIMD] = {"YES": "yes", "NO": "no"}.get(entries[simd][2].upper(), UNKNOWN)
            elif entries[jpeg][2].startswith("build (") or facts[JPEG] == NONE:
                facts[JPEG_SIMD] = "no"    # OpenCV's bundled plain libjpeg has no SIMD
        png = _find(entries, "PNG", media)
        if png is not None:
            facts[PNG] = _library(entries[png][2], "libpng")

    cpu = _find(entries, "CPU/HW features")
    if cpu is not None:
        baseline = _find(entries, "Baseline", cpu)
        # a build for no SIMD prints the Baseline line empty and no dispatch line
        if baseline is not None:
            facts[SIMD_BASELINE] = _features(entries[baseline][2])
        dispatch = _find(entries, "Dispatched code generation", cpu)
        facts[SIMD_DISPATCH] = _features(entries[dispatch][2]) if dispatch is not None else NONE

    parallel = _find(entries, "Parallel framework")
    if parallel is not None:
        facts[PARALLEL] = " ".join(entries[parallel][2].split()) or UNKNOWN
    return facts


def collect() -> dict[str, str]:
    """This interpreter's OpenCV: its version and build facts."""
    try:
        import cv2
        text, version = cv2.getBuildInformation(), str(cv2.__version__)
    except Exception:        # an OpenCV without the call: the facts stay unknown
        text, version = None, UNKNOWN
    return {VERSION: version or UNKNOWN, **parse(text)}
