"""The OpenCV build facts read from cv2.getBuildInformation(): planted build texts with a
known answer, and whatever is missing or unreadable is 'unknown', never an error."""
import pyperf._metadata as pyperf_metadata
import pytest

from bench.measure import opencv_build as ob
from bench.measure.machine import collect

# an opencv-python wheel: libjpeg-turbo with SIMD, AVX2 dispatched, a system libpng
TURBO_AVX2 = """
General configuration for OpenCV 4.11.0 =====================================
  Platform:
    Timestamp:                   2025-01-16T09:53:15Z

  CPU/HW features:
    Baseline:                    SSE SSE2 SSE3
      requested:                 SSE3
    Dispatched code generation:  SSE4_1 SSE4_2 AVX FP16 AVX2 AVX512_SKX
      SSE4_1 (16 files):         + SSSE3 SSE4_1
      AVX2 (36 files):           + SSSE3 SSE4_1 POPCNT SSE4_2 AVX FP16 AVX2 FMA3

  Media I/O: 
    ZLib:                        /usr/lib64/libz.so (ver 1.2.7)
    JPEG:                        build-libjpeg-turbo (ver 3.0.3-70)
      SIMD Support Request:      YES
      SIMD Support:              YES
    WEBP:                        build (ver decoder: 0x0209, encoder: 0x020f, demux: 0x0107)
    PNG:                         /usr/local/lib/libpng.so (ver 1.6.44)
    JPEG 2000:                   build (ver 2.5.0)

  Parallel framework:            pthreads
"""

# built from source with OpenCV's bundled plain libjpeg and no SIMD at all
PLAIN_NO_SIMD = """
General configuration for OpenCV 4.8.0 =====================================
  CPU/HW features:
    Baseline:

  Media I/O:
    ZLib:                        build (ver 1.2.13)
    JPEG 2000:                   build (ver 2.5.0)
    JPEG:                        build (ver 90)
    PNG:                         build (ver 1.6.37)

  Parallel framework:            TBB (ver 2021.9 interface 12090)
"""


def test_a_turbo_build_with_avx2():
    assert ob.parse(TURBO_AVX2) == {
        ob.JPEG: "libjpeg-turbo 3.0.3-70", ob.JPEG_SIMD: "yes", ob.PNG: "libpng 1.6.44",
        ob.SIMD_BASELINE: "SSE SSE2 SSE3",
        ob.SIMD_DISPATCH: "SSE4_1 SSE4_2 AVX FP16 AVX2 AVX512_SKX", ob.PARALLEL: "pthreads"}


def test_a_plain_libjpeg_build_without_simd():
    # "JPEG 2000" is another codec; the bundled "build" is plain libjpeg, which has no SIMD
    assert ob.parse(PLAIN_NO_SIMD) == {
        ob.JPEG: "libjpeg 90", ob.JPEG_SIMD: "no", ob.PNG: "libpng 1.6.37",
        ob.SIMD_BASELINE: "none", ob.SIMD_DISPATCH: "none",
        ob.PARALLEL: "TBB (ver 2021.9 interface 12090)"}


@pytest.mark.parametrize("line, jpeg, simd", [
    # a system library: named by its file, not its path; whether it is turbo is unknown
    ("JPEG: /usr/lib/x86_64-linux-gnu/libjpeg.so.8 (ver 80)", "libjpeg 80", "unknown"),
    ("JPEG: libjpeg-turbo (ver 2.1.5-62)", "libjpeg-turbo 2.1.5-62", "unknown"),
    ("JPEG: C:/libs/jpeg.lib", "jpeg (version unknown)", "unknown"),
    ("JPEG: NO", "none", "no"),
    ("JPEG:", "unknown", "unknown"),
])
def test_libraries_as_other_builds_name_them(line, jpeg, simd):
    facts = ob.parse(f"  Media I/O:\n    {line}\n")
    assert (facts[ob.JPEG], facts[ob.JPEG_SIMD], facts[ob.PNG]) == (jpeg, simd, "unknown")


@pytest.mark.parametrize("text", [None, "", "garbage\x00: : :\n\n  :", TURBO_AVX2[:120], 42])
def test_missing_or_unreadable_parts_are_unknown(text):
    facts = ob.parse(text)
    assert set(facts) == {ob.JPEG, ob.JPEG_SIMD, ob.PNG, ob.SIMD_BASELINE, ob.SIMD_DISPATCH, ob.PARALLEL}
    assert set(facts.values()) == {"unknown"}


def test_an_opencv_that_cannot_say_gives_unknown(monkeypatch):
    import cv2

    def broken():
        raise cv2.error("no build information")
    monkeypatch.setattr(cv2, "getBuildInformation", broken)
    facts = ob.collect()
    assert facts[ob.JPEG] == "unknown" and facts[ob.PARALLEL] == "unknown"


def test_the_machine_facts_hold_this_build_as_pyperf_metadata():
    meta = collect("fork")
    for key in (ob.VERSION, ob.JPEG, ob.JPEG_SIMD, ob.PNG, ob.SIMD_BASELINE, ob.SIMD_DISPATCH,
                ob.PARALLEL, "bench_cv2_threads"):
        pyperf_metadata.check_metadata(key, meta[key])      # raises on a value pyperf refuses
        assert str(meta[key]).strip() and "\n" not in str(meta[key])
