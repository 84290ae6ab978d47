"""Results as answers: a results file read into rows (``load``, the row model in
``rows``, who measured in ``machine``), then decided: what to use (``recommend``, with
scaling models from ``scaling`` and pyperf's significance test in ``significance``), a
machine not measured (``extrapolate``), machines side by side (``compare``, ``--by case``
in ``compare_cases``, answers matched across files in ``answers_by_group``, OpenCV builds
in ``opencv_build``), every case as one flat record (``flat``), a record's JSON keys
(``records``). ``racing`` holds the race's statistics: who is out after a round and when
survivors tie.

Nothing here words or draws anything (``bench.output`` does) or knows how a run was
planned."""

