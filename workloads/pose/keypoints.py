"""Keypoint files (``--save-keypoints``): one image set's landmarks as ``.npz``; the
format is in docs/pose.md."""
from __future__ import annotations

import json
import os

import numpy as np

from workloads.pose.offline import mediapipe_version
from workloads.pose.results import COLUMNS, LANDMARKS, image_id


def save_keypoints(results, directory: str, case, workload, indices=None) -> str:
    """Write ``workload``'s results on ``case``'s image set into ``directory``; the path.
    ``indices``: each result's image in the set (a sample of it), when not 0, 1, 2, ..."""
    images = case.images
    name = f"pose-{images.label}-n{images.count}-s{images.seed}-{workload.label}.npz"
    path = os.path.join(directory, name)
    arrays, failed, no_person = {}, [], []
    for i, r in enumerate(results):
        key = image_id(i if indices is None else indices[i])
        if r.error is not None:
            failed.append((key, r.error))
        elif r.landmarks is None:
            no_person.append(key)
        arrays[key] = (r.landmarks if r.landmarks is not None
                       else np.zeros((0, len(COLUMNS)), dtype=np.float32))
    info = {"columns": list(COLUMNS), "landmarks": LANDMARKS, "image_set": images.as_dict(),
            "case": case.name, "backend": workload.backend,
            "model_complexity": workload.model_complexity,
            "mediapipe": mediapipe_version(), "no_person": no_person,
            "failed": dict(failed)}
    arrays["__info__"] = np.array(json.dumps(info))
    arrays["__failed__"] = np.array(failed, dtype=str).reshape(-1, 2)
    os.makedirs(directory, exist_ok=True)
    tmp = path + f".tmp-{os.getpid()}"    # written whole, then renamed: never half a file
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)
    return path


def load_keypoints(path: str) -> tuple[dict, dict]:
    """Read a file written by ``--save-keypoints``: ({image id: (n, 4) array}, info)."""
    with np.load(path, allow_pickle=False) as data:
        info = json.loads(str(data["__info__"]))
        arrays = {k: data[k] for k in data.files if not k.startswith("__")}
    return arrays, info
