#!/usr/bin/env bash
# The sparse system's accuracy table (issue 14): Fashion-MNIST through 784-300-100-10, the same
# epochs, learning rate and batch for every run, at each density, for a static random mask, SET,
# RigL and the evidence planner, and the dense network (density 1), over three seeds. Prints one line per run
# (method, density, seed, final test accuracy, best test accuracy over the epochs) to stdout.
#
#   tools/sparse_compare.sh [EPOCHS] [DENSITIES] [SEEDS]     e.g. tools/sparse_compare.sh 10 "0.05 0.02 0.01" "1 2 3"
#
# DENSE=0 in the environment leaves out the dense runs (about 100 s an epoch each here); METHODS
# picks the sparse methods (default "static set rigl evidence"); extra --set arguments for every
# run go in SET_ARGS (e.g. SET_ARGS="--set optimizer=adam --set lr=0.003").
#
# SET rewires once per epoch (Mocanu et al. 2018: zeta = 0.3 after each epoch); RigL every 100
# steps with alpha = 0.3 decaying along a cosine to 0 at 75 % of training (Evci et al. 2020); the
# evidence planner cycles every 100 steps too (its other parameters at their defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-10}
densities=${2:-"0.05 0.02 0.01"}
seeds=${3:-"1 2 3"}
methods=${METHODS:-"static set rigl evidence"}
bin=build/observatory
steps_per_epoch=1875  # 60000 / 32
steps=$(( epochs * (steps_per_epoch + 4) + 1 ))  # + the test pass (4 steps) of every epoch
rigl_end=$(( epochs * steps_per_epoch * 3 / 4 ))

run() {  # method density seed extra-args...
  local method=$1 density=$2 seed=$3; shift 3
  # shellcheck disable=SC2086  # SET_ARGS is a list of words
  "$bin" scenes/sparse_fashion.json --headless --steps "$steps" --seed "$seed" --metrics - ${SET_ARGS:-} \
      --set method="$method" --set density="$density" --set epochs="$epochs" "$@" 2>/dev/null |
    awk -F, -v m="$method" -v d="$density" -v s="$seed" '
      NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "test_accuracy") c = i; next }
      { if ($c != "" && $c != "nan" && $c + 0 > best) best = $c + 0; last = $c }
      END { printf "%-8s density %-5s seed %s  final %.4f  best %.4f\n", m, d, s, last, best }'
}

for density in $densities; do
  for seed in $seeds; do
    for method in $methods; do
      case $method in
        static) run static "$density" "$seed" ;;
        set) run set "$density" "$seed" --set rewire_every=$steps_per_epoch ;;
        rigl) run rigl "$density" "$seed" --set rewire_every=100 --set rewire_end=$rigl_end ;;
        evidence) run evidence "$density" "$seed" --set rewire_every=100 ;;
      esac
    done
  done
done
if [ "${DENSE:-1}" = 1 ]; then
  for seed in $seeds; do run static 1 "$seed"; done
fi
