#!/usr/bin/env bash
# Installs strata's Debian packages, builds strata, then serves it or runs the whole test suite.
#   bash deploy/setup.sh serve [strata serve flags...]   install, build (Release), run with embedded defaults
#   bash deploy/setup.sh test                            install, build, run every test (also under ASan+UBSan),
#                                                        then fuzz every parser for four minutes
#   bash deploy/setup.sh build                           install build dependencies and build only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_packages=(
  g++ cmake ninja-build pkg-config ca-certificates
  libboost1.81-dev libboost-system1.81-dev libssl-dev librocksdb-dev liblz4-dev libzstd-dev nlohmann-json3-dev
  libspdlog-dev libeigen3-dev prometheus-cpp-dev catch2
  libsimdjson-dev  # Kubernetes event logs parsed at gigabytes per second (analytics/inputs/event_fields)
)
# Real peers for integration tests and benchmarks: the CNCF registry, real clients (podman for a
# zstd:chunked partial pull), nginx, wrk,
# promtool (from prometheus) to validate /metrics, and chromium (with fonts-liberation, a
# recommends that --no-install-recommends skips) to render the analytics report readably;
# clang with libFuzzer and its sanitizer runtimes for the parsers' fuzz targets (tests/fuzz/).
test_packages=(python3 openssl docker-registry skopeo containerd podman nginx-light wrk curl prometheus chromium
  fonts-liberation clang-14 libfuzzer-14-dev libclang-rt-14-dev stress-ng  # stress-ng: the suite run beside CPU and I/O hogs
  systemd python3-yaml  # systemd-analyze verifies deploy/systemd/strata.service; YAML: deploy/kubernetes
  mmdebstrap buildah    # deploy/image/build.sh
  haproxy               # the consistent-hash front of strata replicas (deploy/ring/)
  iproute2)             # ip and tc: strata bench pull --kernel-shaping

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Unity builds: each room's sources compile together, parsing Asio, Beast and the rest once per
# batch instead of once per file (about half the build time).
build() {  # build <dir> <build type> [extra cmake args]
  local dir=$1 type=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DCMAKE_UNITY_BUILD=ON "$@" > /dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}

declare -A background_builds
build_in_background() {  # build_in_background <dir> <target> [cmake args]: niced, output in <dir>/build.log
  local dir=$1 target=$2
  shift 2
  mkdir -p "$dir"
  # A session of its own, so stop_background_builds can stop ninja and the compilers with it.
  setsid nice -n 10 bash -c 'cmake -S . -B "$0" -G Ninja -DCMAKE_UNITY_BUILD=ON "${@:2}" > /dev/null &&
    cmake --build "$0" --target "$1" --parallel "$(nproc)"' "$dir" "$target" "$@" > "$dir/build.log" 2>&1 &
  background_builds[$dir]=$!
}

stop_background_builds() {
  local pid
  for pid in "${background_builds[@]}"; do kill -- "-$pid" 2> /dev/null || true; done
}

finish_background_build() {  # finish_background_build <dir>: waits; on failure shows its log and stops
  if ! wait "${background_builds[$1]}"; then
    cat "$1/build.log"
    echo "setup: the build in $1 failed" >&2
    exit 1
  fi
  unset "background_builds[$1]"
}

case "${1:-}" in
  serve)
    shift
    install_packages "${build_packages[@]}"
    build build Release
    exec ./build/strata serve "$@"
    ;;
  build)
    install_packages "${build_packages[@]}"
    build build Release
    ;;
  test)
    install_packages "${build_packages[@]}" "${test_packages[@]}"
    build build Release
    # A build beside a test suite is niced and logs to <dir>/build.log; one still running when this
    # script ends (a suite failed) is stopped. Each suite spends much of its time waiting on
    # processes and sockets, and it must pass on a loaded machine anyway.
    trap stop_background_builds EXIT
    # What the sanitized pass would only repeat: the image recipe packs build/ (Release) anyway.
    release_only="deploy: test_image"
    # The suite again against AddressSanitizer + UndefinedBehaviorSanitizer, built while the
    # Release suite runs. -O1 makes the sanitized suite about twice as fast as -O0; -g1 (line
    # tables) keeps stack traces and compiles faster than full debug information; asserts stay on.
    build_in_background build-asan all -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
    ctest --test-dir build --output-on-failure --parallel "$(nproc)"
    finish_background_build build-asan
    # Every parser's libFuzzer target, built by clang while the sanitized suite runs.
    build_in_background build-fuzz strata_fuzz -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
      -DCMAKE_CXX_COMPILER=clang++-14 -DSTRATA_FUZZ=ON -DSTRATA_TESTS=OFF
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)" --exclude-regex "$release_only"
    finish_background_build build-fuzz
    # Every parser's libFuzzer target, about four minutes in all.
    bash tests/fuzz/run.sh
    ;;
  *)
    echo "usage: bash deploy/setup.sh serve|test|build" >&2
    exit 2
    ;;
esac
