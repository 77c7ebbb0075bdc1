#!/bin/bash
# po/POTFILES.in lists exactly the library and example sources with translatable strings.
set -eu
top=${1:?usage: check-potfiles.sh SRCDIR}
cd "$top"
expected=$(grep -l -E '\b(N?_|C_|NC_|g_dngettext|ngettext)\(' \
             $(find fit-glib examples -name '*.c' | sort) 2>/dev/null | sort)
listed=$(grep -v -e '^#' -e '^$' po/POTFILES.in | sort)
if [ "$expected" != "$listed" ]; then
  echo "po/POTFILES.in is out of date; it should list:"
  echo "$expected"
  echo "--- difference (< missing from POTFILES.in, > listed but without strings):"
  diff <(echo "$expected") <(echo "$listed") || true
  exit 1
fi
echo "1..1"
echo "ok 1 po/POTFILES.in lists the $(echo "$expected" | wc -l) files with translatable strings"
