"""bench: how to parallelise image work on this machine - measured, not guessed.

One package per layer, top first, each importing only the layers below it
(tests/test_layers.py holds the order, why, and checks every import): ``cli``, ``sim``,
``run``, ``output``, ``analysis``, ``plan``, ``measure``, ``model``, ``strategies``,
``results``; then ``workloads`` (what is measured) and the ground floor every layer may
import, ``texts`` (every message and number format) and ``errors``. The CLI builds one
typed request, ``plan`` makes the plan, ``run`` measures it in case processes; what a run
prints after its summary the CLI hands the run as a callback.
"""
