#!/bin/bash
# README.md's test command is the one .ci/run runs, and both of its commands exist.
set -eu
top=${1:?usage: check-readme.sh SRCDIR}
cd "$top"
fail=0
for cmd in "build-aux/setup.sh train" "build-aux/setup.sh test"; do
  grep -q -F "$cmd" README.md || { echo "# README.md does not give the command: $cmd"; fail=1; }
done
grep -q -x -F "build-aux/setup.sh test" .ci/run || { echo "# .ci/run does not run README.md's test command"; fail=1; }
[ -x build-aux/setup.sh ] || { echo "# build-aux/setup.sh is not executable"; fail=1; }
[ $fail = 0 ] && echo "1..1" && echo "ok 1 README.md and .ci/run agree"
exit $fail
