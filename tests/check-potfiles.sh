#!/bin/bash
# po/POTFILES.in lists exactly the library and example sources with translatable strings.
set -eu
top=${1:?usage: check-potfiles.sh SRCDIR}
cd "$top"
expected=$(grep -l -E '\b(N?_|C_|NC_|g_dngettext|ngettext)\(' \
             $(find fit-glib examples -name '*.c' | sort) 2>/dev/null | sort)
listed=$(grep -v -e '^#' -e '^$' po/POTFILES.in | sort)
if [ "$expected" != "$listed" ]; then
  echo "1..1"
  echo "not ok 1 po/POTFILES.in is out of date"
  echo "# difference (< missing from POTFILES.in, > listed but without strings):"
  diff <(echo "$expected") <(echo "$listed") | sed 's/^/# /' || true
  exit 1
fi
echo "1..2"
echo "ok 1 po/POTFILES.in lists the $(echo "$expected" | wc -l) files with translatable strings"

# Every message must reach translators whole: xgettext warns when it cannot read one
# (a G_GINT64_FORMAT inside a message cuts it short; use PRId64 or %zu).
# The options are those of Meson's i18n 'glib' preset, which builds the .pot file.
warnings=$(xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
             --keyword=NC_:1c,2 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
             --flag=NC_:2:pass-c-format --flag=g_strdup_printf:1:c-format \
             --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
             --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
             --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
             --flag=g_log:3:c-format --flag=g_prefix_error:2:c-format \
             -o /dev/null -f po/POTFILES.in 2>&1 || true)
if [ -n "$warnings" ]; then
  echo "not ok 2 xgettext cannot extract every message"
  echo "$warnings" | sed 's/^/# /'
  exit 1
fi
echo "ok 2 xgettext extracts every message without a warning"
