"""Inside a case process: every timed figure (``timing``), what is measured around the
timed passes (``decomposition`` of the cold time; ``memory``; CPU time stolen by the
hypervisor, ``steal``), pass folders removed in bulk (``trash``), the machine
(``machine``: its facts, CPUs and memory; ``capacity``; ``opencv_build``) and the proof
that a strategy's output equals the serial loop's (``verify``). ``visits`` is the work a
race's case process serves: the passes a race asks for, one command at a time.

``selfcheck`` (``python -m bench.measure.selfcheck``) is a command above every layer: it
starts a race's case process next to the bare pools of ``bare`` and checks the harness
adds nothing."""
