#!/bin/bash
# Builds the fuzz harnesses with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each one for a bounded time (doc/fuzzing.md).
#
#   build-aux/fuzz.sh [SECONDS] [NAME…]   every harness (or the ones named) for SECONDS
#                                         each (default 60)
#
# The build goes to _build-fuzz/ (override with FUZZ_BUILDDIR). Each harness starts from
# its seed corpus in tests/fuzz/corpus/NAME/ plus whatever earlier runs kept in
# _build-fuzz/corpus/NAME/; an input that crashes, leaks, trips a sanitizer, allocates
# more than FUZZ_MALLOC_LIMIT_MB at once or runs longer than 10 s is written to
# _build-fuzz/artifacts/ and fails the run. Harnesses run side by side, one per core.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${FUZZ_BUILDDIR:-$top/_build-fuzz}
seconds=${1:-60}
shift || true
malloc_limit=${FUZZ_MALLOC_LIMIT_MB:-256}

case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS] [NAME…]" >&2; exit 2 ;;
esac

if [ ! -f "$builddir/build.ninja" ]; then
  # Warnings are GCC's business (the main build has -Werror); clang's loop-vectorizer
  # remarks about the kernels' '#pragma omp simd' say nothing about input handling.
  CC=clang meson setup "$builddir" "$top" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-pass-failed' \
    -Dintrospection=disabled -Dvapi=disabled -Ddocumentation=disabled \
    -Dexamples=false -Dcuda=disabled
fi

if [ $# -eq 0 ]; then
  set -- $(cd "$top/tests/fuzz" && ls fuzz-*.c | sed -n 's/^fuzz-\(.*\)\.c$/\1/p' |
           grep -v -x -e main -e common)
fi
targets=()
for name in "$@"; do
  [ -f "$top/tests/fuzz/fuzz-$name.c" ] || { echo "no harness tests/fuzz/fuzz-$name.c" >&2; exit 2; }
  targets+=("tests/fuzz/fuzz-$name")
done
meson compile -C "$builddir" "${targets[@]}"

mkdir -p "$builddir/artifacts" "$builddir/logs"
run_one() {
  local name=$1 dict=() corpus=$builddir/corpus/$1
  mkdir -p "$corpus"
  [ -f "$top/tests/fuzz/$name.dict" ] && dict=(-dict="$top/tests/fuzz/$name.dict")
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     LSAN_OPTIONS=suppressions=$top/tests/lsan.supp \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$builddir/tests/fuzz/fuzz-$name" "${dict[@]}" \
       -max_total_time="$seconds" -timeout=10 -max_len=65536 \
       -rss_limit_mb=2048 -malloc_limit_mb="$malloc_limit" -print_final_stats=1 \
       -artifact_prefix="$builddir/artifacts/$name-" \
       "$corpus" "$top/tests/fuzz/corpus/$name" > "$builddir/logs/$name.log" 2>&1; then
    echo "fuzz-$name: no finding in ${seconds} s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$builddir/logs/$name.log" | grep -o '[0-9]*$') inputs)"
  else
    echo "fuzz-$name: FAILED, log follows"
    tail -n 60 "$builddir/logs/$name.log"
    return 1
  fi
}
export -f run_one
export builddir top seconds malloc_limit

status=0
printf '%s\n' "$@" | xargs -P "$(nproc)" -I{} bash -c 'run_one {}' || status=1
if [ "$status" != 0 ]; then
  echo "Inputs that failed (add each to tests/fuzz/corpus/NAME/ once fixed):"
  ls -l "$builddir/artifacts"
fi
exit "$status"
