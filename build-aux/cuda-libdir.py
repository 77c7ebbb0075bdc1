#!/usr/bin/env python3
# Prints the directory that holds libcudart for the nvcc given as the argument.
#
# The scanner links a helper program against libfit-glib and so needs the CUDA
# library directory, which meson's CUDA dependency does not expose. nvcc on PATH
# may be a wrapper script outside the toolkit (/usr/local/bin/nvcc exec-ing the
# real one), so its own location says nothing: ask nvcc where its toolkit is.
import os
import subprocess
import sys

nvcc = sys.argv[1]
out = subprocess.run([nvcc, '--dryrun', '-c', '-x', 'cu', os.devnull, '-o', os.devnull],
                     capture_output=True, text=True).stderr
top = None
target = ''
for line in out.splitlines():
    line = line.removeprefix('#$ ')
    if line.startswith('TOP='):
        top = line[len('TOP='):]
    elif line.startswith('_TARGET_DIR_=') and line[len('_TARGET_DIR_='):]:
        target = line[len('_TARGET_DIR_='):]
if top is None:
    sys.exit(f'cuda-libdir: {nvcc} --dryrun named no toolkit (no TOP= line)')
candidates = [os.path.join(top, target, 'lib')] if target else []
candidates += [os.path.join(top, 'lib64'), os.path.join(top, 'lib')]
for d in candidates:
    if os.path.exists(os.path.join(d, 'libcudart.so')):
        print(os.path.normpath(d))
        sys.exit(0)
sys.exit(f'cuda-libdir: no libcudart.so in {", ".join(candidates)}')
