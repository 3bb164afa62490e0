#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/tests/fuzz/ for a bounded time; builds nothing.
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]
# Without an argument the targets share 240 seconds. Each starts from a temporary copy of its
# seed corpus (tests/fuzz/corpus/<target>/, left unchanged) plus the fixtures that fit it.
# Exits non-zero, naming the target and its crash file, if any target crashes, leaks, runs out
# of memory or times out. Crash files and logs: build-fuzz/tests/fuzz/artifacts/<target>/.
# STRATA_FUZZ_BUILD names another build directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${STRATA_FUZZ_BUILD:-build-fuzz}
bin_dir=$build/tests/fuzz
mapfile -t targets < <(find "$bin_dir" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -printf '%f\n' 2>/dev/null | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "run.sh: no fuzz targets in $bin_dir; build them first:" >&2
  echo "  CC=clang-14 CXX=clang++-14 cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_FUZZ=ON -DSTRATA_TESTS=OFF" >&2
  echo "  cmake --build $build --target strata_fuzz" >&2
  exit 2
fi
seconds=${1:-$((240 / ${#targets[@]}))}
[ "$seconds" -ge 1 ] || seconds=1

# The longest input worth trying: a little past what each parser meets in practice (the HTTP
# target past strata's 32 KiB header limit), short enough to keep executions fast.
max_len() {
  case $1 in
    fuzz_byte_range) echo 2056 ;;  # 8 bytes of size, then the header (past 256: a recorded header is cut)
    fuzz_go_duration | fuzz_retry_after | fuzz_rate_limit) echo 256 ;;
    fuzz_reference) echo 512 ;;
    fuzz_kubelet_message | fuzz_labels) echo 1024 ;;
    fuzz_log_line) echo 4096 ;;
    fuzz_bench_plan) echo 4096 ;;
    fuzz_layer_unpack) echo 16384 ;;  # 50x of it unpacked at most: fast runs
    fuzz_metrics_text) echo 8192 ;;
    fuzz_route | fuzz_accept | fuzz_www_authenticate) echo 4096 ;;
    fuzz_pull_auth) echo 8192 ;;
    fuzz_token_response) echo 8192 ;;
    fuzz_event_record | fuzz_event_lines | fuzz_trace_csv | fuzz_config | fuzz_dockerfile | fuzz_saved_image) echo 16384 ;;
    fuzz_http_request) echo 36864 ;;
    *) echo 65536 ;;  # manifests, configs, tag lists, event logs
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seeds derived from tests/fixtures: each manifest, config and tag list of the bundles as a
# document of its own, the kubelet messages of the event log, and the log itself in pieces
# small enough for max_len.
fixtures=tests/fixtures
derived=$work/fixtures
mkdir -p "$derived"
if command -v python3 > /dev/null; then
  python3 - "$fixtures" "$derived" <<'EOF'
import gzip, json, os, sys
src, out = sys.argv[1], sys.argv[2]
def put(kind, name, text):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    with open(os.path.join(out, kind, name), "w") as f:
        f.write(text)
n = 0
for root, _, files in sorted(os.walk(os.path.join(src, "manifests"))):
    for f in sorted(files):
        if not f.endswith(".json"):
            continue
        bundle = json.load(open(os.path.join(root, f)))
        for kind in ("manifests", "configs"):
            for doc in (bundle.get(kind) or {}).values():
                n += 1
                put(kind, str(n), json.dumps(doc))
        n += 1
        put("tags", str(n), json.dumps({"name": root, "tags": bundle.get("tags", [])}))
for root, _, files in sorted(os.walk(os.path.join(src, "k8s-events"))):
    for f in sorted(files):
        path = os.path.join(root, f)
        text = (gzip.open if f.endswith(".gz") else open)(path, "rt").read()
        piece, pieces = "", 0
        for line in text.splitlines(keepends=True):
            if len(piece) + len(line) > 16384 and piece:
                pieces += 1
                put("events", f"{f}.{pieces}", piece)
                piece = ""
            piece += line
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("reason") in ("Pulling", "Pulled"):
                n += 1
                put("messages", str(n), event["reason"] + "\n" + str(event.get("message", "")))
        if piece:
            put("events", f"{f}.{pieces + 1}", piece)
EOF
else
  echo "run.sh: python3 not found; running without seeds derived from $fixtures" >&2
fi

# Corpus directories beyond the target's own; libFuzzer only ever writes to the first.
extra_corpora() {
  local dirs=()
  case $1 in
    fuzz_manifest) dirs=("$derived/manifests" "$fixtures/manifests") ;;
    fuzz_image_config) dirs=("$derived/configs" "$derived/manifests") ;;
    fuzz_tag_list) dirs=("$derived/tags") ;;
    fuzz_k8s_events) dirs=("$derived/events") ;;
    fuzz_kubelet_message) dirs=("$derived/messages") ;;
  esac
  local d
  for d in "${dirs[@]}"; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
export ASAN_OPTIONS=detect_leaks=1${symbolizer:+:external_symbolizer_path=$symbolizer}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${symbolizer:+:external_symbolizer_path=$symbolizer}

echo "fuzzing ${#targets[@]} targets for ${seconds} s each"
passed=0
failed=0
failures=()
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  mkdir -p "$corpus"
  [ -d "tests/fuzz/corpus/$t" ] && cp -R "tests/fuzz/corpus/$t/." "$corpus/"
  mapfile -t extra < <(extra_corpora "$t")
  artifacts=$bin_dir/artifacts/$t
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  log=$artifacts/fuzz.log
  status=0
  "$bin_dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "${extra[@]}" > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  units=$(find "$corpus" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS %-24s %4s s  %10s runs  %5s corpus files\n' "$t" "$seconds" "${runs:-?}" "$units"
    continue
  fi
  failed=$((failed + 1))
  kind=$(grep -o -m 1 -E 'ERROR: libFuzzer: (timeout|out-of-memory|deadly signal)|ERROR: LeakSanitizer|ERROR: AddressSanitizer: [a-z-]+|runtime error: .*|invariant failed: .*|uncaught exception|libFuzzer: fuzz target exited' "$log" || true)
  crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  printf 'FAIL %-24s exit %s: %s\n' "$t" "$status" "${kind:-see the log}"
  echo "     crash file: ${crash:-none written}"
  echo "     log: $log"
  grep -E '^ *#[0-9]+ |runtime error|ERROR:|invariant failed|terminate called|what\(\)' "$log" | head -n 30 |
    cut -c 1-240 | sed 's/^/     | /'
  failures+=("$t: ${crash:-no crash file}")
done

if [ ${#failures[@]} -gt 0 ]; then
  echo "failed targets:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
