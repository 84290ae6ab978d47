#!/usr/bin/env bash
# outputs-snapshot.sh TREE OUT: every deterministic output of the bench in TREE (a checkout
# of this repository) written into OUT, one file per command, to diff two checkouts after a
# refactor that must not change behaviour:
#   git worktree add --detach /tmp/before main
#   scripts/outputs-snapshot.sh /tmp/before /tmp/snap-before
#   scripts/outputs-snapshot.sh "$PWD" /tmp/snap-after
#   diff -r /tmp/snap-before /tmp/snap-after   # the report differs in its "report made" time
# Help texts, plans (bench list), answers and comparisons of the results files in the
# repository, the simulator on six machines, a report with its charts. Nothing is timed
# (no run starts); about 3 minutes on 2 CPUs.
set -u
TREE=$(cd "$1" && pwd); OUT=$(mkdir -p "$2" && cd "$2" && pwd)
# the results files are read from this script's own checkout (results/*.json are not
# tracked, so a fresh worktree has only results/reference/): both trees read the same files
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python}; R=${RESULTS:-$HERE/results}; M=$TREE/sim_machines
cd "$TREE" && export PYTHONPATH=$TREE
i=0
clean() { sed "s#$TREE#TREE#g; s#$HERE#TREE#g; s#$OUT#OUT#g"; }
run() { i=$((i+1)); { echo "\$ $*" | clean; "$@" 2>&1 | clean; echo "rc=${PIPESTATUS[0]}"; } > "$OUT/$(printf %03d $i).txt"; }
run $PY -m bench --help
for c in all imwrite pose overhead dask run list recommend compare plot report; do run $PY -m bench $c --help; done
run $PY -m bench.sim --help
run $PY -m bench list --json
run $PY -m bench list --quick --json
run $PY -m bench list
run $PY -m bench list --quick
run $PY -m bench list --budget 45s --workers 2,3 --json
run $PY -m bench list imwrite --strategies threads,processes-chunked,joblib --sizes 640x480x3 --json
run $PY -m bench list --exhaustive --quick --json
run $PY -m bench list overhead --json
run $PY -m bench list dask --json
run $PY -m bench list pose --quick --json
run $PY -m bench list --workers 0
run $PY -m bench list --strategies nosuch
run $PY -m bench list --budget 1s
files=("$R"/*.json "$R"/reference/*.json)
for f in "${files[@]}"; do run $PY -m bench recommend "$f"; run $PY -m bench recommend --cpus 16 --code "$f"; done
run $PY -m bench compare "${files[0]}" "${files[1]}"
run $PY -m bench compare --by case "${files[0]}" "${files[1]}"
for m in usl-16cpu-best-4 usl-64cpu-best-16 usl-256cpu-best-384 plateau-64cpu vm-2core aa-16cpu; do
    run $PY -m bench.sim --seeds 3 --json "$M/$m.json"
    run $PY -m bench.sim --seeds 3 --quick --json "$M/$m.json"
done
mkdir -p "$OUT/plots"
run $PY -m bench report --plots-dir "$OUT/plots" --csv "$OUT/plots/table.csv" "${files[-1]}"
