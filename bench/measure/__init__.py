"""Inside a case process: every timed figure (``timing``), what is measured around the
timed passes (``decomposition``, ``memory``, ``steal``), pass folders removed in bulk
(``trash``), the machine (``machine``, ``capacity``, ``opencv_build``), verification
(``verify``) and the passes a race's case process serves (``visits``). ``selfcheck``
checks that the harness adds nothing against the ``bare`` pools."""
