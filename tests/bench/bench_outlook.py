"""Benchmark: fitting BG/NBD for 100k customers (run by hand; target under 1 s).

Simulates customers from the BG/NBD process with the CDNOW parameters (so the fit has a known answer), then times,
best of 3 in this process: a. REFERENCE one evaluation of the log-likelihood over every customer (no compression),
b. fit() (compression + L-BFGS-B), c. expected purchases, P(alive) and P(purchase) for every customer.

    .venv/bin/python tests/bench/bench_outlook.py [--customers 100000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tracker.core.outlook.bgnbd import fit, log_likelihood

TRUE = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4257}  # weeks


def simulate(n: int, rng: np.random.Generator, weeks: float = 39.0):
    """Each customer buys at Poisson rate lambda ~ Gamma(r, alpha) and may drop out after each purchase
    with probability p ~ Beta(a, b); observed from a first purchase somewhere in the first 12 weeks."""
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    T = weeks - rng.uniform(0, 12, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, np.round(t_x, 1), np.round(T, 1)


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    x, t_x, T = simulate(args.customers, np.random.default_rng(7))
    ones = np.ones(len(x))
    reference = best_of(lambda: log_likelihood((0.24, 4.4, 0.79, 2.4), x, t_x, T, ones))
    fit_time = best_of(lambda: fit(x, t_x, T))
    model = fit(x, t_x, T)
    predict = best_of(lambda: (model.expected_purchases(13, x, t_x, T), model.p_alive(x, t_x, T),
                               model.p_purchase(13, x, t_x, T)))
    print(f"{len(x):,} customers, {int(np.sum(x > 0)):,} repeat buyers, "
          f"{len(np.unique(np.column_stack([x, t_x, T]), axis=0)):,} distinct (x, t_x, T)")
    print(f"fitted r={model.r:.4f} alpha={model.alpha:.4f} a={model.a:.4f} b={model.b:.4f} (simulated from {TRUE})")
    for label, seconds in (("a. reference log-likelihood", reference), ("b. fit", fit_time),
                           ("c. predictions for all", predict)):
        verdict = f"  {'PASS' if seconds < 1 else 'FAIL'} (target < 1 s)" if label.startswith("b.") else ""
        print(f"  {label:30} {seconds:7.3f} s  {seconds / reference:7.1f}x reference{verdict}")


if __name__ == "__main__":
    main()
