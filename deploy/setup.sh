#!/usr/bin/env bash
# Installs strata's Debian packages, builds strata, then serves it or runs the whole test suite.
#   bash deploy/setup.sh serve [strata serve flags...]   install, build (Release), run with embedded defaults
#   bash deploy/setup.sh test                            install, build, run every test (also under ASan+UBSan),
#                                                        then fuzz every parser for five minutes
#   bash deploy/setup.sh build                           install build dependencies and build only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_packages=(
  g++ cmake ninja-build pkg-config ca-certificates
  libboost1.81-dev libboost-system1.81-dev libssl-dev librocksdb-dev nlohmann-json3-dev
  libspdlog-dev libeigen3-dev prometheus-cpp-dev catch2
)
# Real peers for integration tests and benchmarks: the CNCF registry, real clients, nginx, wrk,
# promtool (from prometheus) to validate /metrics, and chromium (with fonts-liberation, a
# recommends that --no-install-recommends skips) to render the analytics report readably;
# clang with libFuzzer and its sanitizer runtimes for the parsers' fuzz targets (tests/fuzz/).
test_packages=(python3 openssl docker-registry skopeo containerd nginx-light wrk curl prometheus chromium fonts-liberation
  clang-14 libfuzzer-14-dev libclang-rt-14-dev stress-ng)  # stress-ng: the suite run beside CPU and I/O hogs

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

build() {  # build <dir> <build type> [extra cmake args]
  local dir=$1 type=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" > /dev/null
  cmake --build "$dir" --parallel "$(nproc)"
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
    ctest --test-dir build --output-on-failure --parallel "$(nproc)"
    # The same suite against AddressSanitizer + UndefinedBehaviorSanitizer. -O1 makes the sanitized
    # suite about twice as fast as -O0; -g1 (line tables) keeps stack traces and compiles faster
    # than full debug information; asserts stay on.
    build build-asan Debug -DSTRATA_SANITIZE=ON "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
    # Every parser's libFuzzer target is built by clang meanwhile: the suite spends much of its
    # time waiting on processes and sockets, and it must pass on a loaded machine anyway.
    cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
      -DCMAKE_CXX_COMPILER=clang++-14 -DSTRATA_FUZZ=ON -DSTRATA_TESTS=OFF > /dev/null
    nice cmake --build build-fuzz --target strata_fuzz --parallel "$(nproc)" > build-fuzz/build.log 2>&1 &
    fuzz_build=$!
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)"
    if ! wait "$fuzz_build"; then cat build-fuzz/build.log; exit 1; fi
    # Every parser's libFuzzer target, about five minutes in all.
    bash tests/fuzz/run.sh
    ;;
  *)
    echo "usage: bash deploy/setup.sh serve|test|build" >&2
    exit 2
    ;;
esac
