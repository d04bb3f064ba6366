#!/usr/bin/env bash
# Builds the benchmarks jar and runs the suite: single-threaded (all benchmarks) into
# benchmarks/target/jmh-t1.json, then two threads (pick path only) into jmh-t2.json.
# Extra arguments go to both JMH runs, e.g. `benchmarks/run.sh -p nodes=100`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mvn -q -DskipTests -pl benchmarks -am package

java -jar benchmarks/target/benchmarks.jar -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 \
  -rf json -rff benchmarks/target/jmh-t1.json "$@" \
  'PickerBenchmark|PickFloorBenchmark|LeaseBenchmark|MembershipUpdateBenchmark'

java -jar benchmarks/target/benchmarks.jar -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 2 \
  -rf json -rff benchmarks/target/jmh-t2.json "$@" \
  'PickerBenchmark|PickFloorBenchmark|LeaseBenchmark'
