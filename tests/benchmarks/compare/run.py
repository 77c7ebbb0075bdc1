#!/usr/bin/python3
"""fit-glib against PyTorch on Fashion-MNIST, alternating in one run; a Markdown table.

  /usr/bin/python3 tests/benchmarks/compare/run.py --build-dir build
  /usr/bin/python3 tests/benchmarks/compare/run.py --workloads tiny --threads 1 --reps 5
  /usr/bin/python3 tests/benchmarks/compare/run.py --quick          # a smoke run, ~1 minute

For every repetition, workload and thread count it runs each side once, in an order
that rotates from one repetition to the next (A B C, B C A, ...), so that the machine's
drift reaches every side alike:

  torch    torch_workloads.py (Debian's python3-torch, a plain loop)
  c        fmnist-bench: FitEstimator.fit with its default handlers
  c-hand   fmnist-bench --hand-loop: the same step and metric updates written by hand in C
  py       fit_workloads.py: Fit.Estimator.fit() driven from Python (PyGObject)
  py-hand  fit_workloads.py --hand-loop: the step loop itself in Python
  roof     sgemm-roof: each GEMM of the step alone, and a 2048^3 sgemm (the floors)

Before each repetition core-check records whether the machine gives the threads it
claims (a virtual machine's two vCPUs can share one physical core for minutes).

All sides get the same data, model, batch size, SGD settings, seed policy (by default
repetition r seeds the weights and the shuffle with r, on every side), thread count
(OMP_NUM_THREADS, OpenBLAS's threads) and environment (OMP_WAIT_POLICY, and
OPENBLAS_CORETYPE as inherited). Each side's peak memory is the child's maximum
resident set size from wait4(). Epoch times are the training loop only; medians are
over every epoch of every repetition. The JSON of all runs goes to
--json, the tables to --markdown (and stdout).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYTHON = "/usr/bin/python3"
DEFAULT_BATCH = {"mlp": 64, "tiny": 16, "cnn": 64, "wide": 256}
DEFAULT_EPOCHS = {"mlp": 2, "tiny": 2, "cnn": 1, "wide": 1}
DEFAULT_LIMIT = {"mlp": 0, "tiny": 0, "cnn": 0, "wide": 15360}
SIDE_NAMES = {"torch": "PyTorch", "c": "fit-glib C fit()", "c-hand": "fit-glib C hand loop",
              "py": "fit-glib Python fit()", "py-hand": "fit-glib Python hand loop"}


class Workload:
    """A model at a batch size: "mlp", "tiny", "cnn", "wide" or e.g. "mlp:256"."""

    def __init__(self, spec, epochs, limit):
        model, _, batch = spec.partition(":")
        if model not in DEFAULT_BATCH:
            raise SystemExit(f"unknown workload {spec}: use mlp, tiny, cnn or wide[:batch]")
        self.spec, self.model = spec, model
        self.batch = int(batch) if batch else DEFAULT_BATCH[model]
        self.epochs = epochs if epochs else DEFAULT_EPOCHS[model]
        self.limit = DEFAULT_LIMIT[model] if limit is None else limit

    def args(self):
        a = ["--model", self.model, "--batch-size", str(self.batch), "--epochs", str(self.epochs)]
        return a + (["--limit", str(self.limit)] if self.limit else [])

    @property
    def label(self):
        return f"{self.model} b{self.batch}"


class Runner:
    def __init__(self, opts):
        self.opts = opts
        build = os.path.abspath(opts.build_dir)
        self.bench = os.path.join(build, "tests", "benchmarks", "fmnist-bench")
        self.roof = os.path.join(build, "tests", "benchmarks", "sgemm-roof")
        self.core_check = os.path.join(build, "tests", "benchmarks", "core-check")
        for exe in (self.bench, self.roof, self.core_check):
            if not os.access(exe, os.X_OK):
                raise SystemExit(f"{exe} is missing: build with `ninja -C {opts.build_dir}` first")
        env = dict(os.environ)
        if opts.wait_policy.lower() == "unset":
            env.pop("OMP_WAIT_POLICY", None)
        else:
            env["OMP_WAIT_POLICY"] = opts.wait_policy
        self.env = env
        self.fit_env = dict(env)

        def prepend(var, path):
            self.fit_env[var] = path + (os.pathsep + env[var] if env.get(var) else "")
        prepend("LD_LIBRARY_PATH", os.path.join(build, "fit-glib"))
        prepend("GI_TYPELIB_PATH", os.path.join(build, "introspection"))
        prepend("PYTHONPATH", os.path.join(SOURCE_ROOT, "introspection"))

    def command(self, side, w, threads, seed):
        t = ["--threads", str(threads), "--seed", str(seed)]
        extra = ["--test-limit", str(self.opts.test_limit)] if self.opts.test_limit else []
        if side == "torch":
            return [PYTHON, os.path.join(HERE, "torch_workloads.py")] + w.args() + t + extra, self.env
        if side == "roof":
            model = w.model if w.model != "cnn" else None
            if model is None:
                return None, None
            return [self.roof, "--model", model, "--batch-size", str(w.batch),
                    "--threads", str(threads)], self.fit_env
        hand = ["--hand-loop"] if side.endswith("-hand") else []
        if side.startswith("c"):
            return [self.bench] + w.args() + t + extra + hand, self.fit_env
        return [PYTHON, os.path.join(HERE, "fit_workloads.py")] + w.args() + t + extra + hand, self.fit_env

    def check_cores(self, threads):
        """core-check's JSON: how much faster a pure loop ran on @threads than on one,
        and what an empty parallel region cost, under this run's wait policy."""
        env = dict(self.env, OMP_NUM_THREADS=str(threads))
        out = subprocess.run([self.core_check, "--threads", str(threads)], env=env,
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    def run(self, side, w, threads, seed):
        cmd, env = self.command(side, w, threads, seed)
        if cmd is None:
            return None
        env = dict(env, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        chunks = []
        while True:
            b = proc.stdout.read(65536)
            if not b:
                break
            chunks.append(b)
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = b"".join(chunks).decode(errors="replace")
        result = None
        for line in reversed(text.splitlines()):
            if line.startswith("{"):
                result = json.loads(line)
                break
        if proc.returncode != 0 or result is None:
            sys.stderr.write(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{text[-2000:]}\n")
            return None
        result["peak_rss_kb_wait4"] = ru.ru_maxrss
        result["wall_s"] = time.perf_counter() - t0
        result["side"] = side
        result["workload"] = w.spec
        result["cmd"] = cmd
        if self.opts.verbose:
            for line in text.splitlines():
                if line.startswith("epoch") or line.startswith("  step"):
                    print(f"    {side:7} {w.label} x{threads}: {line.strip()}", flush=True)
        return result


def median_range(xs):
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs), len(xs)


def fmt_range(mr, digits=2, scale=1.0):
    if mr is None:
        return "–"
    m, lo, hi, n = mr
    return f"{m * scale:.{digits}f} ({lo * scale:.{digits}f}–{hi * scale:.{digits}f})"


def summarise(results, workloads, threads_list, sides):
    """{(workload, threads, side): stats}"""
    s = {}
    for w in workloads:
        for t in threads_list:
            for side in sides + ["roof"]:
                rs = [r for r in results if r["workload"] == w.spec and r["threads"] == t
                      and r["side"] == side]
                if not rs:
                    continue
                if side == "roof":
                    s[(w.spec, t, side)] = {
                        "floor_us": median_range([r["step_floor_us"] for r in rs]),
                        "square": median_range([r["square2048_gflops"] for r in rs]),
                        "step_flop": rs[0]["step_flop"], "blas": rs[0]["blas"]}
                    continue
                epochs = [e for r in rs for e in r["epochs"]]
                s[(w.spec, t, side)] = {
                    "epoch_s": median_range([e["train_s"] for e in epochs]),
                    "us_step": median_range([e["us_per_step"] for e in epochs]),
                    "rss_mb": median_range([r["peak_rss_kb_wait4"] / 1024 for r in rs]),
                    "acc": median_range([r["final_test_acc"] for r in rs]),
                    "n_train": rs[0]["n_train"], "epochs": len(rs[0]["epochs"]),
                    "blas": rs[0]["blas"], "batch": rs[0]["batch_size"]}
    return s


def ratio(a, b):
    if a is None or b is None:
        return None
    return a[0] / b[0]


def fr(x, digits=2, suffix="×"):
    return "–" if x is None else f"{x:.{digits}f}{suffix}"


def markdown(s, workloads, threads_list, sides, opts, started, elapsed, cores):
    out = []
    p = out.append
    blas_t = s.get((workloads[0].spec, threads_list[0], "torch"), {}).get("blas", "?")
    blas_f = s.get((workloads[0].spec, threads_list[0], "c"), {}).get("blas", "?")
    p(f"Run {started}, {elapsed / 60:.0f} min, {opts.reps} repetitions, "
      f"OMP_WAIT_POLICY={opts.wait_policy}, OPENBLAS_CORETYPE="
      f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; {platform.node()}, "
      f"{os.cpu_count()} CPUs, load average before {opts.load_before}.")
    p(f"PyTorch BLAS: {blas_t}; fit-glib BLAS: {blas_f}. Cells: median (min–max) over "
      "every epoch of every repetition.")
    if cores:
        sp = [c["speedup_median"] for c in cores]
        reg = [c["region_us_median"] for c in cores]
        pong = [c["ping_pong_ns_median"] for c in cores]
        p(f"Cores (core-check before each repetition, {cores[0]['threads']} threads): a loop of "
          f"pure arithmetic ran {min(sp):.2f}–{max(sp):.2f}× faster than on one thread "
          f"(medians: {', '.join(f'{x:.2f}' for x in sp)}); an empty parallel region after "
          f"2 ms of serial work cost {min(reg):.0f}–{max(reg):.0f} µs; a cache line went from "
          f"one thread to the other and back in {min(pong):.0f}–{max(pong):.0f} ns. Below about "
          f"{0.9 * cores[0]['threads']:.1f}× the machine was not giving the benchmark "
          "its cores, and every multi-threaded figure of that repetition suffers.")
    p("")

    p("### Epoch time (s) and ratios")
    p("")
    head = "| workload | threads | " + " | ".join(SIDE_NAMES[x] for x in sides) + \
        " | fit-glib / PyTorch | GEMM floor (s) | fit-glib / floor |"
    p(head)
    p("|" + "---|" * (head.count("|") - 1))
    for w in workloads:
        for t in threads_list:
            cells = [fmt_range(s.get((w.spec, t, x), {}).get("epoch_s")) for x in sides]
            c = s.get((w.spec, t, "c"), {}).get("epoch_s")
            torch = s.get((w.spec, t, "torch"), {}).get("epoch_s")
            roof = s.get((w.spec, t, "roof"))
            steps = None
            if (w.spec, t, "c") in s:
                st = s[(w.spec, t, "c")]
                steps = -(-st["n_train"] // st["batch"])
            floor = roof["floor_us"][0] * steps / 1e6 if roof and steps else None
            p(f"| {w.label} | {t} | " + " | ".join(cells) + f" | **{fr(ratio(c, torch))}** | "
              f"{'–' if floor is None else f'{floor:.2f}'} | "
              f"{fr(None if floor is None or c is None else c[0] / floor)} |")
    p("")

    p("### Throughput, per-step time, memory and accuracy")
    p("")
    p("| workload | threads | side | samples/s | µs/step | peak RSS (MB) | test accuracy |")
    p("|---|---|---|---|---|---|---|")
    for w in workloads:
        for t in threads_list:
            for x in sides:
                st = s.get((w.spec, t, x))
                if not st:
                    continue
                sps = st["n_train"] / st["epoch_s"][0]
                p(f"| {w.label} | {t} | {SIDE_NAMES[x]} | {sps:,.0f} | {fmt_range(st['us_step'], 0)} | "
                  f"{fmt_range(st['rss_mb'], 0)} | {fmt_range(st['acc'], 4)} |")
    p("")

    p("### Overheads and thread scaling (ratios of medians)")
    p("")
    p("| workload | threads | C fit() / C hand loop | Python fit() / C fit() | "
      "Python hand loop / C fit() | 2 threads / 1 thread (PyTorch, fit-glib) |")
    p("|---|---|---|---|---|---|")
    for w in workloads:
        for t in threads_list:
            g = lambda x, tt=t: s.get((w.spec, tt, x), {}).get("epoch_s")  # noqa: E731
            scal = "–"
            if t != threads_list[0]:
                t0 = threads_list[0]
                scal = (f"{fr(ratio(g('torch'), s.get((w.spec, t0, 'torch'), {}).get('epoch_s')))}, "
                        f"{fr(ratio(g('c'), s.get((w.spec, t0, 'c'), {}).get('epoch_s')))}")
            p(f"| {w.label} | {t} | {fr(ratio(g('c'), g('c-hand')), 3)} | {fr(ratio(g('py'), g('c')), 3)} | "
              f"{fr(ratio(g('py-hand'), g('c')), 3)} | {scal} |")
    p("")

    roofs = [(w, t) for w in workloads for t in threads_list if (w.spec, t, "roof") in s]
    if roofs:
        p("### GEMM roof (sgemm-roof, the OpenBLAS fit-glib links, same thread count)")
        p("")
        p("| workload | threads | GFLOP/step | GEMM floor µs/step | sgemm 2048³ GFLOP/s | "
          "fit-glib GFLOP/s over the step | of 2048³ peak | PyTorch GFLOP/s |")
        p("|---|---|---|---|---|---|---|---|")
        for w, t in roofs:
            r = s[(w.spec, t, "roof")]
            c = s.get((w.spec, t, "c"))
            torch = s.get((w.spec, t, "torch"))
            flop = r["step_flop"]

            def gfs(st):
                if not st:
                    return None
                return flop / (st["us_step"][0] * 1e3)
            gc, gt = gfs(c), gfs(torch)
            peak = r["square"][0] if r["square"] else None
            p(f"| {w.label} | {t} | {flop / 1e9:.4f} | {fmt_range(r['floor_us'], 0)} | "
              f"{fmt_range(r['square'], 0)} | {fr(gc, 1, '')} | "
              f"{'–' if gc is None or not peak else f'{100 * gc / peak:.0f} %'} | {fr(gt, 1, '')} |")
        p("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--workloads", default="mlp,tiny,cnn,wide",
                    help="comma-separated: mlp, tiny, cnn, wide, or model:batch (mlp:256)")
    ap.add_argument("--sweep", default="", help="extra MLP batch sizes, e.g. 16,256,512")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--sides", default="torch,c,c-hand,py",
                    help="comma-separated: torch, c, c-hand, py, py-hand")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=0, help="default: mlp 2, tiny 2, cnn 1, wide 1")
    ap.add_argument("--limit", type=int, default=None,
                    help="training images (default: all; wide 15360)")
    ap.add_argument("--test-limit", type=int, default=0)
    ap.add_argument("--no-roof", action="store_true", help="skip the sgemm floors")
    ap.add_argument("--wait-policy", default="PASSIVE",
                    help="OMP_WAIT_POLICY for every side (PASSIVE, ACTIVE, or unset)")
    ap.add_argument("--seed-policy", choices=["rep", "fixed"], default="rep",
                    help="rep: every side uses seed = repetition number (weights and shuffle), "
                         "so accuracies are medians over seeds; fixed: seed 0 throughout")
    ap.add_argument("--quick", action="store_true",
                    help="1 repetition, 1 thread, 5000 images, 1 epoch: a smoke test")
    ap.add_argument("--json", default=None, help="write every run's JSON here")
    ap.add_argument("--markdown", default=None, help="write the tables here")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    if opts.quick:
        opts.reps, opts.threads, opts.limit, opts.epochs = 1, "1", 5000, 1
        opts.test_limit = opts.test_limit or 2000

    specs = [x for x in opts.workloads.split(",") if x]
    specs += [f"mlp:{b}" for b in opts.sweep.split(",") if b]
    workloads = [Workload(x, opts.epochs, opts.limit) for x in specs]
    threads_list = [int(x) for x in opts.threads.split(",")]
    sides = [x for x in opts.sides.split(",") if x]
    for x in sides:
        if x not in SIDE_NAMES:
            raise SystemExit(f"unknown side {x}: use {', '.join(SIDE_NAMES)}")
    runner = Runner(opts)
    opts.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.strftime("%Y-%m-%d %H:%M")
    t_start = time.perf_counter()

    order = sides + ([] if opts.no_roof else ["roof"])
    results = []
    cores = []
    for rep in range(opts.reps):
        if max(threads_list) > 1:
            cores.append(runner.check_cores(max(threads_list)))
            cores[-1]["rep"] = rep
            print(f"rep {rep + 1}/{opts.reps} cores: {json.dumps(cores[-1])}", file=sys.stderr,
                  flush=True)
        for w in workloads:
            for t in threads_list:
                k = (rep + len(results)) % len(order)
                for side in order[k:] + order[:k]:
                    r = runner.run(side, w, t, rep if opts.seed_policy == "rep" else 0)
                    if r is not None:
                        r["rep"] = rep
                        results.append(r)
                print(f"rep {rep + 1}/{opts.reps} {w.label} x{t} done "
                      f"(load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t_start
    opts.load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())

    s = summarise(results, workloads, threads_list, sides)
    md = markdown(s, workloads, threads_list, sides, opts, started, elapsed, cores)
    md += f"\nLoad average after: {opts.load_after}.\n"
    print(md)
    if opts.markdown:
        with open(opts.markdown, "w") as f:
            f.write(md)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"started": started, "options": vars(opts), "cores": cores,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
