#!/usr/bin/env bash
# Builds the benchmarks jar and runs the suite with -prof gc:
#   1 thread : every JMH benchmark            -> benchmarks/target/jmh-t1.json
#   2 threads: pickers, floors and leases     -> benchmarks/target/jmh-t2.json
#   the slow-node tail-latency experiment     -> printed
# Extra arguments go to both JMH runs, e.g. `benchmarks/run.sh -p nodes=100`. Iterations come from
# JMH_ITERATIONS (default "-wi 3 -w 2s -i 5 -r 2s"); a shorter run:
#   JMH_ITERATIONS="-wi 3 -w 1s -i 5 -r 1s" benchmarks/run.sh
set -euo pipefail
read -r -a iterations <<< "${JMH_ITERATIONS:--wi 3 -w 2s -i 5 -r 2s}"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mvn -q -DskipTests install -pl benchmarks -am

java -jar benchmarks/target/benchmarks.jar -prof gc -f 1 "${iterations[@]}" -t 1 \
  -rf json -rff benchmarks/target/jmh-t1.json "$@" \
  'PickerBenchmark|PickFloorBenchmark|LeaseBenchmark|MembershipUpdateBenchmark|HashPickBenchmark|HashBuildBenchmark|InterceptorIsolationBenchmark|InterceptorOverheadBenchmark|LoopbackCallBenchmark'

java -jar benchmarks/target/benchmarks.jar -prof gc -f 1 "${iterations[@]}" -t 2 \
  -rf json -rff benchmarks/target/jmh-t2.json "$@" \
  'PickerBenchmark|PickFloorBenchmark|LeaseBenchmark'

java -Dsun.net.httpserver.nodelay=true -cp benchmarks/target/benchmarks.jar \
  dev.loadstar.benchmarks.SlowNodeExperiment
