"""The interrupt machinery itself (the end-to-end Ctrl-C/SIGTERM runs are in test_faults)."""
import os
import signal

import pytest

from bench.run import interrupt


def test_a_signal_raises_interrupted_with_its_exit_code():
    with interrupt.handling():
        with pytest.raises(interrupt.Interrupted) as exc:
            os.kill(os.getpid(), signal.SIGTERM)
    assert interrupt.exit_code(exc.value) == 143 and interrupt.signal_name(exc.value) == "SIGTERM"
    assert isinstance(exc.value, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL      # restored afterwards


def test_a_swallowed_interrupt_is_raised_again_at_the_next_check():
    """Python ignores exceptions raised in at-fork hooks, __del__ and the like; a
    SIGTERM landing there must not be lost (it once let a run go on to the end)."""
    with interrupt.handling():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except interrupt.Interrupted:
            pass                                   # swallowed, as Python would
        with pytest.raises(interrupt.Interrupted) as exc:
            interrupt.check()
        assert exc.value.signum == signal.SIGTERM
        interrupt.handled()                        # the top level took care of it
        interrupt.check()                          # no longer raises
        os.kill(os.getpid(), signal.SIGINT)        # and a second Ctrl-C is ignored


def test_deferred_holds_the_signal_until_the_block_is_done():
    done = []
    with interrupt.handling():
        with pytest.raises(interrupt.Interrupted):
            with interrupt.deferred():
                os.kill(os.getpid(), signal.SIGINT)
                done.append("recorded and saved")
        assert done == ["recorded and saved"]


def test_shielded_clean_up_always_finishes_and_the_interrupt_follows():
    done = []
    with interrupt.handling():
        with interrupt.shielded():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("group ended")
        assert done == ["group ended"]
        with pytest.raises(interrupt.Interrupted):
            interrupt.check()


def test_a_forked_child_dies_of_the_signal_quietly():
    with interrupt.handling():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:                                 # child: inherited our handler
            os.close(r)
            os.dup2(w, 2)                            # its stderr -> the pipe
            os.kill(os.getpid(), signal.SIGTERM)
            os._exit(0)                              # not reached
        os.close(w)
        _, status = os.waitpid(pid, 0)
        with os.fdopen(r) as fh:
            err = fh.read()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
    assert err == ""                                 # no traceback
