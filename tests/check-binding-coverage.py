#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that every callable of the Fit GIR is exercised from a binding test.

The project rule: every public symbol is introspectable, documented, and exercised from
at least one binding (Python, GJS or Vala) in a test. This script reads the built
Fit-1.0.gir, lists every callable (functions, constructors, methods, virtual methods,
signals, properties) and looks for a reference to each in the binding test sources under
tests/ (every *.py but this script, *.js, *.vala; full-line comments are ignored):

  method, function  add            ->  .add(   (also fit-less C name for functions:
                                       error_quark(, dtype_get_size()
  constructor       new_from_floats -> new_from_floats(    Vala: new Fit.Tensor.from_floats (
                    new             -> Rng.new(             Vala: new Fit.Rng (
  virtual method    forward        ->  do_forward (Python), vfunc_forward (GJS),
                                       override ... forward ( (Vala)
  signal            batch-end      ->  'batch-end', "batch_end", Vala .batch_end.connect (
  property          requires-grad  ->  Python .props.requires_grad, Fit.Tensor(requires_grad=;
                                       GJS .requires_grad, .requiresGrad, {requiresGrad: …};
                                       Vala .requires_grad, Object (requires_grad: …);
                                       any: 'notify::requires-grad', get/set/bind_property (…
                                       'requires-grad'

Detection is textual: a name shared by two classes (add) is covered by a call on either.

Symbols that are not covered yet are listed, one C identifier a line with a comment
saying why, in an allow-list (tests/bindings/coverage-pending.txt), grouped in sections
named after the layer ("## nn"). Identifiers are the C function name; FitModuleClass.forward
for a virtual method, FitEstimator::batch-end for a signal, FitTensor:requires-grad for a
property. The check fails when

  - a symbol is neither referenced nor listed (cover it, or list it and say why),
  - a listed symbol is referenced and introspectable (delete its line: the list only
    shrinks),
  - a listed symbol is not in the GIR although its layer is (a stale or misspelt line).

Lines for layers that have not landed yet are only reported. Symbols the scanner marks
non-introspectable ((skip), or types it cannot handle) count as uncovered, so they need a
line too: that makes every C-only entry point a visible, explained decision.

Usage: check-binding-coverage.py Fit-1.0.gir [--tests DIR] [--pending FILE] [--verbose]
       check-binding-coverage.py Fit-1.0.gir --update-pending   (rewrites the list: drops
       covered and stale lines, adds new uncovered symbols with a placeholder reason)
       check-binding-coverage.py --self-test   (checks the patterns on known snippets)
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

CORE = "{http://www.gtk.org/introspection/core/1.0}"
C_NS = "{http://www.gtk.org/introspection/c/1.0}"
GLIB = "{http://www.gtk.org/introspection/glib/1.0}"

OWNER_TAGS = ("class", "interface", "record", "union", "enumeration", "bitfield")
CALLABLE_TAGS = ("function", "method", "constructor")
PLACEHOLDER = "not yet covered by a binding test"


class Symbol:
    def __init__(self, kind, name, ident, owner, owner_c, layer, introspectable):
        self.kind = kind                  # function, method, constructor, vfunc, signal, property
        self.name = name                  # the binding name (GIR name)
        self.ident = ident                # the C identifier used in the allow-list
        self.owner = owner                # GIR owner name ("Tensor"), "" for the namespace
        self.owner_c = owner_c            # C type of the owner ("FitTensor")
        self.layer = layer                # core, nn, optim, …
        self.introspectable = introspectable
        self.patterns = {}                # language -> compiled regex


def layer_of(element, parent_layer):
    pos = element.find(CORE + "source-position")
    if pos is None:
        doc = element.find(CORE + "doc")
        filename = doc.get("filename") if doc is not None else None
    else:
        filename = pos.get("filename")
    if not filename:
        return parent_layer
    parts = filename.replace("\\", "/").split("/")
    if "fit-glib" in parts:
        rest = parts[parts.index("fit-glib") + 1:]
        # Files at the top of fit-glib/ (versions) belong with the core.
        return rest[0] if len(rest) > 1 else "core"
    return parent_layer


def camel(name):
    head, *tail = re.split(r"[-_]", name)
    return head + "".join(t[:1].upper() + t[1:] for t in tail)


def add_patterns(sym, prefix):
    n = re.escape(sym.name)
    owner = re.escape(sym.owner)
    call = r"\.%s\s*\(" % n
    pats = {}
    if sym.kind in ("function", "method"):
        any_lang = call
        if sym.kind == "function" and sym.ident.startswith(prefix):
            # PyGObject and GJS also expose enum and error functions at namespace level.
            any_lang += r"|\b%s\s*\(" % re.escape(sym.ident[len(prefix):])
        pats = dict.fromkeys(("py", "js", "vala"), any_lang)
    elif sym.kind == "constructor":
        if sym.name == "new":
            pats["py"] = pats["js"] = r"\b%s\.new\s*\(" % owner
            pats["vala"] = r"\bnew\s+(?:Fit\.)?%s\s*\(" % owner
        else:
            pats["py"] = pats["js"] = r"\b%s\s*\(" % n
            pats["vala"] = r"\bnew\s+(?:Fit\.)?%s\.%s\s*\(" % (
                owner, re.escape(sym.name[len("new_"):]))
    elif sym.kind == "vfunc":
        pats["py"] = r"\bdo_%s\b" % n
        pats["js"] = r"\bvfunc_%s\b" % n
        pats["vala"] = r"\boverride\b[^;{}=]*?\b%s\s*\(" % n
    elif sym.kind == "signal":
        u = re.escape(sym.name.replace("-", "_"))
        quoted = r"""['"](?:%s|%s)['"]""" % (n, u)
        pats["py"] = pats["js"] = quoted
        pats["vala"] = quoted + r"|\.%s\s*\.\s*connect(?:_after)?\s*\(" % u
    elif sym.kind == "property":
        u = re.escape(sym.name.replace("-", "_"))
        cc = re.escape(camel(sym.name))
        names = "|".join(sorted({n, u, cc}))
        quoted = r"""['"]notify::(?:%s)['"]|_property\s*\([^)]*?['"](?:%s)['"]""" % (names, names)
        pats["py"] = r"\.props\.%s\b|\b%s\s*\([^)]*?\b%s\s*=|%s" % (u, owner, u, quoted)
        pats["js"] = r"\.(?:%s|%s)\b(?!\s*\()|\b%s\s*\(\s*\{[^}]*?\b(?:%s|%s)\s*:|%s" % (
            u, cc, owner, u, cc, quoted)
        pats["vala"] = r"\.%s\b(?!\s*\()|\bObject\s*\([^)]*?\b%s\s*:|%s" % (u, u, quoted)
    sym.patterns = {lang: re.compile(p) for lang, p in pats.items()}


def read_gir(path):
    root = ET.parse(path).getroot()
    ns = root.find(CORE + "namespace")
    prefix = ns.get(C_NS + "symbol-prefixes", "").split(",")[0] + "_"
    symbols = {}

    def add(sym):
        if sym.ident not in symbols:
            add_patterns(sym, prefix)
            symbols[sym.ident] = sym

    def callables(parent, owner, owner_c, layer):
        for el in parent:
            tag = el.tag[len(CORE):] if el.tag.startswith(CORE) else None
            if tag not in CALLABLE_TAGS:
                continue
            # A function with (rename-to) replaces the one it shadows; the scanner already
            # marks the shadowed one non-introspectable, and bindings cannot reach it.
            if el.get("shadowed-by") or el.get("moved-to"):
                continue
            add(Symbol(tag, el.get("name"), el.get(C_NS + "identifier"), owner, owner_c,
                       layer_of(el, layer), el.get("introspectable", "1") != "0"))

    callables(ns, "", "", "core")
    for el in ns:
        tag = el.tag[len(CORE):]
        if tag not in OWNER_TAGS or el.get(GLIB + "is-gtype-struct-for"):
            continue
        owner, owner_c = el.get("name"), el.get(C_NS + "type") or el.get(GLIB + "type-name")
        layer = layer_of(el, "core")
        callables(el, owner, owner_c, layer)
        type_struct = el.get(GLIB + "type-struct")
        struct_c = (ns.get(C_NS + "identifier-prefixes", "").split(",")[0] + type_struct
                    if type_struct else owner_c + "Class")
        for child in el:
            ctag = child.tag[len(CORE):] if child.tag.startswith(CORE) else None
            introspectable = child.get("introspectable", "1") != "0"
            if ctag == "virtual-method":
                add(Symbol("vfunc", child.get("name"), "%s.%s" % (struct_c, child.get("name")),
                           owner, owner_c, layer_of(child, layer), introspectable))
            elif child.tag == GLIB + "signal":
                add(Symbol("signal", child.get("name"), "%s::%s" % (owner_c, child.get("name")),
                           owner, owner_c, layer_of(child, layer), introspectable))
            elif ctag == "property":
                add(Symbol("property", child.get("name"), "%s:%s" % (owner_c, child.get("name")),
                           owner, owner_c, layer_of(child, layer), introspectable))
    return symbols


def strip_comments(text, lang):
    marker = "#" if lang == "py" else "//"
    return "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith(marker))


def read_sources(tests_dir, exclude):
    sources = {"py": [], "js": [], "vala": []}
    for dirpath, dirnames, filenames in os.walk(tests_dir):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            lang = {".py": "py", ".js": "js", ".vala": "vala"}.get(os.path.splitext(name)[1])
            if lang is None or os.path.realpath(path) == exclude:
                continue
            with open(path, encoding="utf-8") as f:
                sources[lang].append((path, strip_comments(f.read(), lang)))
    for lang, files in sources.items():
        files.insert(0, ("*", "\n".join(text for _, text in files)))
    return sources


def find_reference(sym, sources):
    for lang, files in sources.items():
        pattern = sym.patterns.get(lang)
        # One search over all files of a language (the first entry) rules most symbols out.
        if pattern is None or not pattern.search(files[0][1]):
            continue
        for path, text in files[1:]:
            if pattern.search(text):
                return path
    return None


def read_pending(path):
    """Returns {ident: (layer, reason)} and a list of format errors."""
    pending, errors = {}, []
    layer = None
    if not os.path.exists(path):
        return pending, errors
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("## "):
                layer = stripped[3:].strip()
                continue
            if not stripped or stripped.startswith("#"):
                continue
            ident, _, reason = stripped.partition("#")
            ident, reason = ident.strip(), reason.strip()
            where = "%s:%d" % (path, lineno)
            if " " in ident or not reason:
                errors.append("%s: expected 'IDENTIFIER  # why it is not covered yet'" % where)
            elif layer is None:
                errors.append("%s: %s comes before any '## layer' section" % (where, ident))
            elif ident in pending:
                errors.append("%s: %s is listed twice" % (where, ident))
            else:
                pending[ident] = (layer, reason)
    return pending, errors


HEADER = """\
# Public symbols of Fit-1.0.gir that no Python, GJS or Vala test under tests/ exercises yet.
# Checked by tests/check-binding-coverage.py (meson test coverage, suite bindings):
# a symbol that is neither covered nor listed here fails the check, and so does a listed
# symbol that is covered, so this list only shrinks. Cover a symbol, then delete its line.
#
# One identifier a line, then '#' and why it is not covered. Identifiers: fit_foo_bar for
# functions, FitFooClass.vfunc for virtual methods, FitFoo::signal, FitFoo:property.
# Sections are layers; a layer that has not landed on main yet is only reported.
"""


def write_pending(path, pending, symbols, covered):
    entries = defaultdict(dict)
    for ident, (layer, reason) in pending.items():
        sym = symbols.get(ident)
        if sym is None:
            if layer not in {s.layer for s in symbols.values()}:
                entries[layer][ident] = reason
        elif not covered.get(ident):
            entries[sym.layer][ident] = reason
    for ident, sym in symbols.items():
        if not covered.get(ident) and ident not in pending:
            entries[sym.layer][ident] = (PLACEHOLDER if sym.introspectable
                                         else "not introspectable: " + PLACEHOLDER)
    order = ["core", "nn", "optim", "io", "data", "metrics", "train", "handlers"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for layer in sorted(entries, key=lambda l: (order.index(l) if l in order else 99, l)):
            f.write("\n## %s\n" % layer)
            width = max(len(i) for i in entries[layer]) + 2
            for ident in sorted(entries[layer]):
                f.write("%s# %s\n" % (ident.ljust(width), entries[layer][ident]))


SELF_TEST_GIR = """<?xml version="1.0"?>
<repository version="1.2" xmlns="http://www.gtk.org/introspection/core/1.0"
            xmlns:c="http://www.gtk.org/introspection/c/1.0"
            xmlns:glib="http://www.gtk.org/introspection/glib/1.0">
  <namespace name="Fit" version="1.0" c:identifier-prefixes="Fit" c:symbol-prefixes="fit">
    <class name="Module" c:type="FitModule" glib:type-struct="ModuleClass">
      <source-position filename="fit-glib/nn/fit-module.h" line="1"/>
      <constructor name="new" c:identifier="fit_module_new"/>
      <constructor name="new_from_floats" c:identifier="fit_module_new_from_floats"/>
      <method name="add" c:identifier="fit_module_add"/>
      <method name="raw" c:identifier="fit_module_raw" introspectable="0"/>
      <method name="old" c:identifier="fit_module_old" shadowed-by="old_full"/>
      <virtual-method name="forward"/>
      <property name="requires-grad"/>
      <glib:signal name="batch-end"/>
    </class>
    <record name="ModuleClass" c:type="FitModuleClass" glib:is-gtype-struct-for="Module"/>
    <enumeration name="DType" c:type="FitDType">
      <function name="get_size" c:identifier="fit_dtype_get_size"/>
    </enumeration>
    <function name="dtype_get_size" c:identifier="fit_dtype_get_size" moved-to="DType.get_size"/>
  </namespace>
</repository>
"""

# (identifier, language, source text, whether it counts as a reference)
SELF_TEST_CASES = [
    ("fit_module_add", "py", "m.add(x)", True),
    ("fit_module_add", "vala", "m.add (x);", True),
    ("fit_module_add", "js", "// m.add(x)", False),
    ("fit_module_add", "py", "m.adder(x)", False),
    ("fit_module_new", "py", "Fit.Module.new()", True),
    ("fit_module_new", "py", "Fit.Rng.new(1)", False),
    ("fit_module_new", "vala", "var m = new Fit.Module ();", True),
    ("fit_module_new_from_floats", "js", "Fit.Module.new_from_floats([1], [1])", True),
    ("fit_module_new_from_floats", "vala", "new Module.from_floats ({ 1f }, { 1 })", True),
    ("fit_module_new_from_floats", "vala", "Module.new_from_floats ({ 1f }, { 1 })", False),
    ("FitModuleClass.forward", "py", "def do_forward(self, x):", True),
    ("FitModuleClass.forward", "js", "vfunc_forward(x) {", True),
    ("FitModuleClass.forward", "vala", "public override Tensor forward (Tensor x) throws", True),
    ("FitModuleClass.forward", "py", "m.forward(x)", False),
    ("FitModule::batch-end", "py", "est.connect('batch-end', cb)", True),
    ("FitModule::batch-end", "js", 'est.connect("batch_end", cb)', True),
    ("FitModule::batch-end", "vala", "est.batch_end.connect (cb);", True),
    ("FitModule::batch-end", "py", "batch_end = 3", False),
    ("FitModule:requires-grad", "py", "t.props.requires_grad = True", True),
    ("FitModule:requires-grad", "py", "Fit.Module(requires_grad=True)", True),
    ("FitModule:requires-grad", "py", "def f(requires_grad=False):", False),
    ("FitModule:requires-grad", "py", "t.requires_grad", False),
    ("FitModule:requires-grad", "js", "t.requiresGrad = true", True),
    ("FitModule:requires-grad", "js", "new Fit.Module({requiresGrad: true})", True),
    ("FitModule:requires-grad", "vala", "t.requires_grad = true;", True),
    ("FitModule:requires-grad", "py", "t.connect('notify::requires-grad', cb)", True),
    ("fit_dtype_get_size", "py", "Fit.dtype_get_size(d)", True),
    ("fit_dtype_get_size", "vala", "DType.FLOAT32.get_size ()", True),
]


def self_test():
    """Checks the GIR reading and the reference patterns on small known inputs."""
    import tempfile  # noqa: PLC0415
    with tempfile.NamedTemporaryFile("w", suffix=".gir", delete=False) as f:
        f.write(SELF_TEST_GIR)
    try:
        symbols = read_gir(f.name)
    finally:
        os.unlink(f.name)
    failures = []
    want = {"fit_module_new", "fit_module_new_from_floats", "fit_module_add", "fit_module_raw",
            "FitModuleClass.forward", "FitModule:requires-grad", "FitModule::batch-end",
            "fit_dtype_get_size"}
    if set(symbols) != want:
        failures.append("symbols: got %s, want %s" % (sorted(symbols), sorted(want)))
    if symbols.get("fit_module_add") and symbols["fit_module_add"].layer != "nn":
        failures.append("layer of fit_module_add: %s" % symbols["fit_module_add"].layer)
    if symbols.get("fit_module_raw") and symbols["fit_module_raw"].introspectable:
        failures.append("fit_module_raw should be non-introspectable")
    for ident, lang, text, expected in SELF_TEST_CASES:
        sources = {"py": [("*", "")], "js": [("*", "")], "vala": [("*", "")]}
        sources[lang] = [("*", strip_comments(text, lang)), ("case", strip_comments(text, lang))]
        got = find_reference(symbols[ident], sources) is not None
        if got != expected:
            failures.append("%s in %s %r: %s, expected %s" % (
                ident, lang, text, "referenced" if got else "not referenced",
                "referenced" if expected else "not"))
    for failure in failures:
        print("FAIL: " + failure)
    print("self-test: %d cases, %d failures" % (len(SELF_TEST_CASES), len(failures)))
    return 1 if failures else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gir")
    here = os.path.dirname(os.path.realpath(__file__))
    parser.add_argument("--tests", default=here, help="folder of the binding tests")
    parser.add_argument("--pending", default=os.path.join(here, "bindings",
                                                          "coverage-pending.txt"))
    parser.add_argument("--update-pending", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="also list covered symbols")
    args = parser.parse_args()

    symbols = read_gir(args.gir)
    sources = read_sources(args.tests, os.path.realpath(__file__))
    pending, errors = read_pending(args.pending)
    refs = {ident: find_reference(sym, sources) for ident, sym in symbols.items()}
    covered = {ident: bool(refs[ident]) and sym.introspectable
               for ident, sym in symbols.items()}
    landed = {sym.layer for sym in symbols.values()}

    if args.update_pending:
        write_pending(args.pending, pending, symbols, covered)
        print("wrote %s" % args.pending)
        return 0

    by_owner = defaultdict(list)
    for ident, sym in symbols.items():
        if not covered[ident]:
            by_owner[(sym.layer, sym.owner_c or "Fit (namespace)")].append(sym)
    print("Uncovered symbols (%d of %d), by class:" % (
        sum(len(v) for v in by_owner.values()), len(symbols)))
    for (layer, owner), syms in sorted(by_owner.items()):
        print("  %s [%s]" % (owner, layer))
        for sym in sorted(syms, key=lambda s: (s.kind, s.ident)):
            notes = [sym.kind]
            if not sym.introspectable:
                notes.append("not introspectable")
            if sym.ident in pending:
                notes.append("pending: " + pending[sym.ident][1])
            else:
                notes.append("NOT LISTED")
            print("    %-40s %s" % (sym.ident, "; ".join(notes)))

    if args.verbose:
        print("\nCovered:")
        for ident in sorted(i for i in symbols if covered[i]):
            print("  %-40s %s" % (ident, os.path.relpath(refs[ident], args.tests)))

    unlisted = [i for i in symbols if not covered[i] and i not in pending]
    if unlisted:
        errors.append("%d symbols (NOT LISTED above) are exercised by no binding test: cover "
                      "them, or list them in %s and say why" % (
                          len(unlisted), os.path.relpath(args.pending)))
    for ident, (layer, reason) in sorted(pending.items()):
        sym = symbols.get(ident)
        if sym is not None and covered[ident]:
            errors.append("%s is listed as pending but %s exercises it: delete its line" % (
                ident, os.path.relpath(refs[ident], args.tests)))
        elif sym is None and layer in landed:
            errors.append("%s is listed under '## %s' but the GIR has no such symbol: "
                          "delete or correct its line" % (ident, layer))

    counts = defaultdict(int)
    for ident, (layer, reason) in pending.items():
        if symbols.get(ident) is None and layer not in landed:
            layer += " (not landed)"
        counts[layer] += 1
    print("\nPending per layer: " + (", ".join("%s %d" % kv for kv in sorted(counts.items()))
                                      or "none"))
    if errors:
        print("\nFAILED:")
        for e in errors:
            print("  " + e)
        print("\nAfter covering symbols, '%s %s --update-pending' deletes the lines of covered "
              "ones and adds the uncovered ones with a placeholder reason to replace." % (
                  os.path.relpath(__file__), os.path.relpath(args.gir)))
        return 1
    print("OK: every symbol is covered or listed as pending.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
