"""``recommend --code``, the workload's half: what a snippet does to one image (imports,
module-level set-up, ``work(index, image[, out_dir])`` and the body of a per-worker
``init()``), or a user's own function (``bench run --task``, :class:`Task`), called as
``bench run`` calls it: ``task(item)``, or ``task(item, state)`` with ``state = init()``
built once per worker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from workloads.registry import REGISTRY


@dataclass(frozen=True)
class Task:
    """A user's ``MODULE:FUNCTION`` (MODULE importable or a .py path), and the optional
    ``init`` that builds per-worker state."""
    module: str
    function: str
    init: str | None = None

    @classmethod
    def parse(cls, text: str, init: str | None = None) -> "Task":
        module, sep, function = text.rpartition(":")
        if not sep or not module or not function.isidentifier():
            raise ValueError(f"a task is MODULE:FUNCTION, got {text!r}")
        if init is not None:
            cls.parse(init)
        return cls(module, function, init)


def task_of(meta: dict) -> Task | None:
    """The user's task a results file names in a case's metadata, if any."""
    text = meta.get("task")
    if not isinstance(text, str) or ":" not in text:
        return None
    init = meta.get("task_init")
    return Task.parse(text, init if isinstance(init, str) and ":" in init else None)


@dataclass
class Work:
    imports: list
    setup: str                       # module-level lines after the imports
    work: str                        # def work(...)
    init_body: list = field(default_factory=list)   # lines of init(), none: no init
    writes: bool = False             # work takes out_dir: files are written
    rgb: bool = False                # the demo images are RGB (pose)
    needs: str = "numpy and cv2"     # besides the standard library


def codec_of(label: str) -> tuple[str, str, int]:
    """'jpg-q95' -> ('.jpg', 'cv2.IMWRITE_JPEG_QUALITY', 95); 'png-l3' -> PNG level 3."""
    m = re.fullmatch(r"(jpg)-q(\d+)|(png)-l(\d+)", label or "")
    if m and m.group(3):
        return ".png", "cv2.IMWRITE_PNG_COMPRESSION", int(m.group(4))
    return ".jpg", "cv2.IMWRITE_JPEG_QUALITY", int(m.group(2)) if m else 95


def _imwrite(label: str, _per_image: bool) -> Work:
    ext, flag, value = codec_of(label)
    return Work(["os", "cv2"], f"PARAMS = [{flag}, {value}]", f'''def work(index, image, out_dir):
    """One image: encode it and write out_dir/<index>{ext}."""
    path = os.path.join(out_dir, f"{{index}}{ext}")
    if not cv2.imwrite(path, image, PARAMS):
        raise OSError(f"cv2.imwrite could not write {{path}}")''', writes=True)


def _imencode(label: str, _per_image: bool) -> Work:
    ext, flag, value = codec_of(label)
    return Work(["cv2"], f"PARAMS = [{flag}, {value}]", f'''def work(index, image):
    """One image encoded in memory. Returns its size in bytes, as bench measured it; return
    buf.tobytes() to keep the encoded image (more to send back than was measured)."""
    ok, buf = cv2.imencode("{ext}", image, PARAMS)
    if not ok:
        raise ValueError(f"cv2.imencode failed for image {{index}}")
    return int(buf.size)''')


POSE_LANDMARKS = '''    if found is None:
        return None                      # no person
    return np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark], dtype=np.float32)'''


def _pose(label: str, per_image: bool) -> Work:
    m = re.search(r"-c(\d)$", label or "")
    complexity = int(m.group(1)) if m else 1
    new = f"mp.solutions.pose.Pose(static_image_mode=True, model_complexity={complexity})"
    if per_image:       # the OpenPose script's way, when that is what was measured
        return Work(["numpy", "mediapipe"], "", f'''def work(index, image):
    """One RGB uint8 image with a new model built for it (as measured): its 33 landmarks
    (x, y, z, visibility), or None."""
    with {new} as pose:
        found = pose.process(image).pose_landmarks
{POSE_LANDMARKS}''', rgb=True, needs="numpy and mediapipe")
    return Work(["threading", "numpy", "mediapipe"],
                "_state = threading.local()     # this worker's model (a process's, or a thread's)",
                f'''def work(index, image):
    """One RGB uint8 image: its 33 landmarks (x, y, z, visibility), or None."""
    found = _state.pose.process(image).pose_landmarks
{POSE_LANDMARKS}''', init_body=[
        "# one model per worker, built in the worker: never in a process that forks afterwards",
        f"_state.pose = {new}"], rgb=True, needs="numpy and mediapipe")


def _import_lines(name: str, target: str) -> tuple[list, str]:
    """Code that binds ``name`` to MODULE:FUNCTION."""
    module, _, function = target.rpartition(":")
    if module.endswith(".py") or "/" in module:
        return ["importlib.util"], (f"{name} = _load({module!r}, {function!r})")
    return [], f"from {module} import {function} as {name}"


LOADER = '''def _load(path, function):
    """A function of a .py file that is not on the import path."""
    spec = importlib.util.spec_from_file_location("user_task", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)'''


def _task(task: Task) -> Work:
    imports, line = _import_lines("task", f"{task.module}:{task.function}")
    setup = [line]
    init_body, call = [], "task(image)"
    if task.init:
        more, init_line = _import_lines("task_init", task.init)
        imports += more + ["threading"]
        setup += [init_line, "_state = threading.local()     # this worker's state (a process's, or a thread's)"]
        init_body = ["_state.value = task_init()     # your per-worker state, built once per worker"]
        call = "task(image, _state.value)"
    if "importlib.util" in imports:
        setup.insert(0, LOADER + "\n\n")
    return Work(sorted(set(imports)) + ["numpy"], "\n".join(setup), f'''def work(index, image):
    """One item (an image, or a path with --decode none) through your function."""
    return {call}''', init_body=init_body, needs="numpy and your module")


def for_workload(workload: str, label: str, per_image_model: bool = False,
                 task: Task | None = None) -> Work | None:
    """The code of a workload, in the shape its class declares (``snippet``); None for
    one a snippet cannot write (an overhead probe, a name the registry does not know)."""
    if task is not None:
        return _task(task)
    cls = REGISTRY.get(workload)
    shape = cls.snippet if cls is not None else ""
    return SHAPES[shape](label, per_image_model) if shape in SHAPES else None


# the work of each ``snippet`` shape a workload class may declare: (label, a model built
# per image) -> Work
SHAPES = {"imwrite": _imwrite, "imencode": _imencode, "pose": _pose}
