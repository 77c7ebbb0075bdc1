#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The same tensor program in C, Python, GJS and Vala prints the same numbers, and
they match PyTorch's."""
import argparse
import os
import subprocess
import sys
import unittest

from fit_testing import have_torch, main


def run(argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60)
    return {line.split()[0]: [float(v) for v in line.split()[1:]]
            for line in out.stdout.splitlines() if line.strip()}


class TensorPrograms(unittest.TestCase):
    programs = {}

    @classmethod
    def setUpClass(cls):
        bindir = ARGS.bindir
        srcdir = os.path.dirname(os.path.abspath(__file__))
        cls.programs["c"] = [os.path.join(bindir, "tensor-program")]
        cls.programs["python"] = [sys.executable, os.path.join(srcdir, "tensor_program.py")]
        if ARGS.gjs:
            cls.programs["gjs"] = [ARGS.gjs, "-m", os.path.join(srcdir, "tensor-program.js")]
        vala = os.path.join(bindir, "tensor-program-vala")
        if os.path.exists(vala):
            cls.programs["vala"] = [vala]

    def test_all_languages_agree(self):
        reference = run(self.programs["c"])
        self.assertEqual(set(reference), {"loss", "w.grad", "b.grad"})
        self.assertEqual(len(reference["w.grad"]), 8)
        for lang, argv in self.programs.items():
            with self.subTest(language=lang):
                # Same library, same operations: the numbers must be bit-identical.
                self.assertEqual(run(argv), reference)

    @unittest.skipUnless(have_torch(), "python3-torch is not installed")
    def test_matches_pytorch(self):
        import torch
        reference = run(self.programs["c"])
        x = (torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.1)
        w = (torch.arange(8, dtype=torch.float32).reshape(4, 2) * -0.05 + 0.2).requires_grad_()
        b = torch.tensor([0.1, -0.2], requires_grad=True)
        h = torch.tanh(x @ w + b)
        loss = (torch.sigmoid(h) * h).mean()
        loss.backward()
        self.assertAlmostEqual(reference["loss"][0], loss.item(), places=6)
        for got, want in zip(reference["w.grad"], w.grad.flatten().tolist()):
            self.assertAlmostEqual(got, want, places=6)
        for got, want in zip(reference["b.grad"], b.grad.tolist()):
            self.assertAlmostEqual(got, want, places=6)


parser = argparse.ArgumentParser()
parser.add_argument("--bindir", required=True)
parser.add_argument("--gjs", default="")
ARGS, rest = parser.parse_known_args()
sys.argv = sys.argv[:1] + rest

if __name__ == "__main__":
    main()
