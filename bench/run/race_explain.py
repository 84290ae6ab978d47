"""The end of a group's race: which configurations are explained, and explaining them.

After the rounds, the finalists (what the recommendation will name, then the fastest
still racing) and the naive baselines a review shows get cold passes on fresh pools, a
decomposition round and a sampled pass for memory per worker (``--explain all``: every
configuration that was visited). A mixin of :class:`bench.run.race.Race`, which holds the
results, the procs and the plan these use.
"""
from __future__ import annotations

import statistics
import time

from bench.plan.planner import GroupPlan
from bench.run import interrupt
from bench.run.case_process import CommandFailed, ProcessDied
from bench.run.race_state import FAILED, OUT, RACING, GroupState


class FinalistsExplained:
    explain_all = False         # the race sets it: --explain all
    _finalist_count = 0

    def _finalists(self, state: GroupState) -> list[str]:
        """What the recommendation will name (its pick, and the fastest if another), then
        the fastest still racing: the configurations whose cold time and memory a review
        needs. The pick comes from the same decision the recommendation prints."""
        from bench.analysis.load import analyse
        from bench.analysis.recommend import answer_group

        self._publish(state)
        named = []
        try:
            analysis = analyse(self.results)
            group = next(g for g in analysis.groups() if g.key == state.key)
            answer = answer_group(group, analysis)
            named = [r.name for r in (answer.choice, answer.best) if r.family != "serial"]
        except (StopIteration, ValueError, ZeroDivisionError):
            pass
        ranked = sorted((c for c in state.configs.values() if c.status in (RACING, OUT) and c.visits),
                        key=lambda c: (c.status != RACING, -statistics.median(c.ratios())))
        out = list(dict.fromkeys(named))
        for c in ranked:
            if len(out) >= max(self._finalist_count, len(named)):
                break
            if c.name not in out:
                out.append(c.name)
        return out

    @staticmethod
    def _explain_cost(costs, case, cold_only: bool) -> float:
        return costs.first_visit(case) + costs.pool_pass(case) if cold_only else costs.explain(case)

    def _explain(self, state: GroupState, procs, plan: GroupPlan, share_end: float, costs=None) -> None:
        wanted = list(state.finalists) + [c.name for c in plan.baselines()]
        if self.explain_all:
            wanted = [n for n, c in state.configs.items() if c.visits]
        seen = set()
        for name in wanted:
            cfg = state.configs.get(name)
            if cfg is None or name in seen or cfg.status == FAILED or not cfg.visits:
                continue
            seen.add(name)
            interrupt.check()
            per_image = statistics.median(v["serial_per_image_s"] for v in cfg.visits)
            # in full (--exhaustive) every configuration is explained as a finalist is
            baseline = name not in state.finalists and not self.policy.explain_all
            cold_only = cfg.case.strategy == "processes-model-per-image" or (
                baseline and not plan.explains_baselines_fully())
            # what it needs, as the visits went (a slow disk makes every pass longer): an
            # explanation that would end past the group's share is left out
            needed = self._explain_cost(costs or plan.costs, cfg.case, cold_only) * self.slowdown.factor(name)
            if time.perf_counter() + needed > share_end and not self.explain_all:
                break
            try:
                reply = procs.for_case(cfg.case).explain(
                    cfg.case, self._timeout(plan, 20), rounds=1, serial_per_image_s=per_image,
                    memory=not cold_only, decompose=not cold_only)
            except CommandFailed as exc:
                cfg.explained = {"explain_failed": exc.reason}
                continue
            except ProcessDied as exc:
                cfg.explained = {"explain_failed": exc.reason}
                procs.restart_after(cfg.case)
                continue
            cfg.explained = reply["metadata"]
            if reply.get("worker_reports"):
                cfg.reports = reply["worker_reports"]
