"""The workload interface: every hook the harness calls on a workload, and its default.

A workload is what is done to one image. It is pickled with every task exactly as a
user's script pickles its arguments, so the per-task cost is the one users pay; most
are small frozen dataclasses. :class:`Workload` is a plain class (class attributes
and methods only, no ``__init__``, no ``__slots__``) so that it never changes how a
``@dataclass(frozen=True)`` subclass is built, compared or pickled.

Required (no default: each workload says what it does):
  ``from_params(params: dict)``  build from JSON-able parameters (case files carry them)
  ``label``                      short text naming the parameters, e.g. ``jpg-q95``
  ``with_output(out_dir)``       a copy that writes under ``out_dir`` (if it writes)
  ``worker_setup()``             once per worker before any task (build a model); may
                                 return a dict of facts (e.g. ``model_load_s``) to report
  ``process(index, image)``      the work for one image; its return value is the result
  ``verifying()``                a copy whose results can be compared with serial
  ``expected_names(count)``      the file names a pass of ``count`` images writes
  ``outputs(results, count)``    {output name: comparable value}
  ``differs(a, b)``              whether two outputs of the same name disagree
  ``needs_verify_pass``          True when timed results are not comparable themselves

Optional, with the harness's behaviour when a workload keeps the default:
  ``has_model``                  False; True: strategies marked ``needs_model`` may be
                                 planned, and no serial loop is timed in a case process
                                 that forks a pool (read from the class)
  ``fixed_group``                False; True: the image set is a dummy, left out of the
                                 group's name (read from the class)
  ``for_task(start)``            the workload itself; with a folder per task, the copy
                                 one slice-task starting at image ``start`` writes with
  ``with_model_per_image()``     the workload itself; with a model, a copy that builds
                                 a new model in every task (the OpenPose script that
                                 builds a detector in every task)
  ``prepare_parent()``           nothing; the case process imports what a user's
                                 script would (pose: mediapipe, never a model)
  ``check_fork(start_method)``   nothing; raise before a pool forks a process that
                                 must not fork
  ``case_metadata(timing)``      {}; extra per-case facts for the results file
                                 (called before verification)

Optional capabilities: ``None`` means the workload does not offer one, and the harness
does without:
  ``with_layout(layout)``        a copy writing in an output layout (``flat``,
                                 ``per-task``); None: it writes no files, and a case
                                 that asks for a layout is refused
  ``written_names()``            the name of every file written (a name written twice
                                 appears twice); None: the output folder is listed
  ``describe_difference(a, b)``  one line on how two differing outputs differ; None:
                                 the first differing output is named without detail
  ``save_results(results, directory, case)``  write outputs (``--save-keypoints``)
                                 and return the file's path; None: nothing is saved
  ``expected_seconds_per_image(size, params)``, ``bytes_written_per_image(size,
  params)``, ``memory_per_worker`` (bytes): refine the run's resource estimates
                                 (read from the class); None: the harness's generic
                                 estimates (JPEG encoding time, imwrite's worst-case
                                 file size, an interpreter with numpy and OpenCV)

  ``measure(strategy, images, repeats)``: the overhead probes that time themselves
                                 (pool start, pickling); None: the harness times passes
"""
from __future__ import annotations


class Workload:
    """Base of every workload: declares the hooks the harness uses (see the module)."""

    # -- required ----------------------------------------------------------------------
    needs_verify_pass: bool

    @classmethod
    def from_params(cls, params: dict):
        raise NotImplementedError(f"{cls.__name__}.from_params")

    @property
    def label(self) -> str:
        raise NotImplementedError(f"{type(self).__name__}.label")

    def with_output(self, out_dir: str):
        raise NotImplementedError(f"{type(self).__name__}.with_output")

    def worker_setup(self):
        raise NotImplementedError(f"{type(self).__name__}.worker_setup")

    def process(self, index: int, image):
        raise NotImplementedError(f"{type(self).__name__}.process")

    def verifying(self):
        raise NotImplementedError(f"{type(self).__name__}.verifying")

    def expected_names(self, count: int) -> list[str]:
        raise NotImplementedError(f"{type(self).__name__}.expected_names")

    def outputs(self, results, count: int) -> dict:
        raise NotImplementedError(f"{type(self).__name__}.outputs")

    @staticmethod
    def differs(a, b) -> bool:
        raise NotImplementedError("Workload.differs")

    # -- optional, with the harness's default ------------------------------------------
    has_model = False
    fixed_group = False

    def for_task(self, start: int):
        return self

    def with_model_per_image(self):
        return self

    def prepare_parent(self) -> None:
        pass

    def check_fork(self, start_method: str) -> None:
        pass

    def case_metadata(self, timing) -> dict:
        return {}

    # -- optional capabilities: None when not offered ----------------------------------
    with_layout = None
    written_names = None
    describe_difference = None
    save_results = None
    expected_seconds_per_image = None
    bytes_written_per_image = None
    memory_per_worker = None
    measure = None
