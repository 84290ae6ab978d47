#!/usr/bin/env bash
# The real many-core run: on a machine with more CPUs than this project's 2-core VM, run
# bench all's image groups, then a 10x longer run of each group's pick at its best worker
# count and at half and one and a half times it, and say what the simulator predicts for
# a machine of that shape. Everything lands in OUT (default ./many-core-out); copy it
# into docs/findings/ with the date and the machine.
#
#   bash scripts/many-core-run.sh [OUT] [BUDGET]      (BUDGET: bench all's, default 9m)
#
# It needs the project installed as README says (python -m bench works) and nothing from
# the network. Disk writes go to /dev/shm (steady); set BENCH_OUT_DIR for a disk.
set -euo pipefail
OUT=${1:-many-core-out}
BUDGET=${2:-9m}
DIR=${BENCH_OUT_DIR:-/dev/shm}
mkdir -p "$OUT"
PY=${PYTHON:-python}

{ date -u; nproc; $PY -c "import os; print(len(os.sched_getaffinity(0)), 'usable CPUs')"; free -g | head -2; } \
    > "$OUT/machine.txt"

# 1. bench all's image groups (no pose, no pipelines: what the simulator can shape)
$PY -m bench list imwrite --budget "$BUDGET" --json > "$OUT/plan.json" 2> "$OUT/plan.err"
$PY -m bench imwrite --budget "$BUDGET" --out-dir "$DIR" --results-dir "$OUT/results" \
    > "$OUT/imwrite.log" 2>&1 || true
RUN=$(ls -t "$OUT"/results/*.json | head -1)
$PY -m bench recommend "$RUN" --json > "$OUT/recommend.json"
$PY -m bench recommend "$RUN" > "$OUT/recommend.txt"
$PY -m bench plot "$RUN" --plots-dir "$OUT/plots" > /dev/null 2>&1 || true

# 2. each pick 10x longer, at its best count and at half and 1.5x it (in full: every
#    configuration the same visits, none put out)
$PY - "$OUT/recommend.json" > "$OUT/long-runs.sh" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for g in d["recommendations"][0]["groups"]:
    pick, plateau = g["recommended"], g.get("plateau") or {}
    if pick["family"] == "serial":
        continue
    best = plateau.get("best_workers") or pick["workers"]
    counts = sorted({max(1, best // 2), best, max(1, best * 3 // 2)})
    workload, rest = g["group"].split("/", 1)
    size, content = rest.split("/")[0].split("-")[:2]
    layout = "per-task" if pick.get("folder_per_task") else "flat"
    print(f'$PY -m bench imwrite --exhaustive --values 30 --sizes {size} --content {content} '
          f'--workloads {workload} --strategies {pick["strategy"]} --workers {",".join(map(str, counts))} '
          f'--layouts {layout} --out-dir "$DIR" --results-dir "$OUT/long" >> "$OUT/long.log" 2>&1 || true')
EOF
OUT="$OUT" DIR="$DIR" PY="$PY" bash "$OUT/long-runs.sh"

# 3. what the simulator predicts for this machine's shape: the measured speedups of the
#    run as a machine file, raced by bench's planner and race 20 times
$PY -m bench.sim.from_results "$RUN" > "$OUT/machine-shape.json"
$PY -m bench.sim "$OUT/machine-shape.json" --seeds 20 --budget "$BUDGET" > "$OUT/sim.txt" 2>&1 || true
echo "done: $OUT"
