"""Inside a case: every timed figure (``timing``), what is measured around the timed
passes (``probes``: decomposition of the cold time; ``memory``), the machine
(``machine``, ``capacity``), the proof that a strategy's output equals the serial loop's
(``verify``), and a check that the harness adds nothing (``selfcheck``)."""
