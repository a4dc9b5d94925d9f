#!/usr/bin/env bash
# AOT code quality in one command: code size on Cortex-M4F, per object and
# linked as firmware (bench/aot.sh), instructions on an emulated Cortex-M4
# (bench/cortexm.sh), and on the host the kernels against native code and the
# start of `wasmiot run` (bench/runtime.sh). Each prints markdown tables;
# docs/benchmarks.md records runs.
#   bash bench/aot-quality.sh     (after scripts/build.sh; needs what each script names)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for script in aot.sh cortexm.sh runtime.sh; do
  echo "# bench/$script"
  echo
  bash "$here/$script"
  echo
done
