"""The race's statistics: who is out after a round, and when survivors tie."""
import random

from bench.analysis import racing


def noisy(centre, n, spread=0.03, seed=0):
    rng = random.Random(seed)
    return [centre * (1 + rng.uniform(-spread, spread)) for _ in range(n)]


def test_one_visit_puts_nobody_out():
    verdicts = racing.eliminate({"fast": [2.0], "slow": [0.5]})
    assert [v.out for v in verdicts] == [False]


def test_a_clearly_slower_configuration_is_out_after_a_few_visits():
    samples = {"leader": noisy(2.0, 3, seed=1), "per-image": noisy(0.6, 3, seed=2),
               "close": noisy(1.97, 3, seed=3)}
    verdicts = {v.name: v for v in racing.eliminate(samples)}
    assert racing.leader(samples) == "leader"
    assert verdicts["per-image"].out and verdicts["per-image"].ratio < 0.35
    assert not verdicts["close"].out             # within the noise and the 2% margin


def test_being_slower_by_less_than_the_margin_is_never_out():
    samples = {"a": [2.0] * 10, "b": [1.99] * 10}     # 0.5% slower, no noise at all
    assert not any(v.out for v in racing.eliminate(samples))
    samples = {"a": [2.0] * 10, "b": [1.9] * 10}      # 5% slower, no noise: out
    assert all(v.out for v in racing.eliminate(samples))


def test_a_tie_needs_enough_visits_and_both_sides_inside_the_margin():
    a, b = noisy(2.0, 12, 0.01, seed=4), noisy(2.01, 12, 0.01, seed=5)
    assert racing.equivalent(a, b)
    assert racing.all_tied({"a": a, "b": b})
    assert not racing.equivalent(a[:2], b[:2])            # too few visits to call it
    assert not racing.equivalent(a, noisy(2.3, 12, 0.01, seed=6))   # 15% apart
    wide = noisy(2.0, 12, 0.30, seed=7)                    # too noisy to be sure
    assert not racing.equivalent(wide, b)
    assert not racing.all_tied({"alone": a})              # one survivor is no tie


def test_every_sentence_about_the_margin_is_worded_from_tie_margin():
    # the tie rule is one constant: the race's ties, the plateau, "fewest workers within" and
    # every note that names the margin read it, so no message may type a percentage in
    import re
    from bench.texts import messages
    # (the simulator's own accuracy figures, SIM_*, are not the rule's margin)
    texts = {k: v for k, v in vars(messages).items()
             if k.isupper() and isinstance(v, str) and not k.startswith("SIM_")}
    typed = {k for k, v in texts.items() if re.search(r"within \d+%", v)}
    assert not typed, typed
    worded = {k for k, v in texts.items() if "within {margin:.0%}" in v}
    assert len(worded) >= 10
