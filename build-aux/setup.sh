#!/bin/bash
# Sets up a Debian 12 machine for fit-glib and runs the main job or the tests.
#
#   build-aux/setup.sh train   install what is missing, build, train Fashion-MNIST
#   build-aux/setup.sh test    install what is missing, build, run every test
#
# Works as root and, through sudo for apt-get only, as a normal user. The build goes to
# _build/ (override with BUILDDIR); extra arguments after the verb go to the job, e.g.
#   build-aux/setup.sh train --model cnn --epochs 3
#   build-aux/setup.sh test --suite examples
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${BUILDDIR:-$top/_build}
verb=${1:-}
shift || true

case "$verb" in
  train|test) ;;
  *) echo "usage: $0 train|test [ARGS…]" >&2; exit 2 ;;
esac

packages=$(grep -v '^#' "$here/debian-packages.txt" | xargs)
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "These Debian packages are missing:$missing" >&2
      echo "Install them as root (apt-get install$missing) or install sudo, then run $0 again." >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "Installing:$missing"
  # sudo resets the environment, so the frontend goes on its command line.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top" -Dwerror=true
fi

case "$verb" in
  train)
    # Only what the job needs: the library and the program, not every test.
    meson compile -C "$builddir" fit-fashion-mnist
    exec "$builddir/examples/c/fit-fashion-mnist" "$@" ;;
  test)
    meson compile -C "$builddir"
    exec meson test -C "$builddir" --print-errorlogs --num-processes "$(nproc)" "$@" ;;
esac
