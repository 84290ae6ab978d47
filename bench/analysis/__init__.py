"""Results as answers: a results file read into rows (``load``, the row model in
``rows``, who measured in ``machine``), then decided: what to use (``recommend``, with
scaling models from ``scaling`` and pyperf's significance test in ``significance``), a
machine not measured (``extrapolate``), machines side by side (``compare``, ``--by case``
in ``compare_cases``, answers matched across files in ``answers_by_group``, OpenCV builds
in ``opencv_build``), every case as one flat record (``flat``). ``racing`` holds the
race's statistics: who is out after a round and when survivors tie.

Nothing here words or draws anything (``bench.output`` does) or knows how a run was
planned."""


class AsJson:
    """``as_dict()`` from the class's ``JSON`` table: each JSON key, in the order the JSON
    shows them, with the attribute that holds its value, or a function of the object."""
    JSON: dict = {}

    def as_dict(self) -> dict:
        return {key: value(self) if callable(value) else getattr(self, value)
                for key, value in self.JSON.items()}
