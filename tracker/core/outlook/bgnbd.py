"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"), fitted by maximum
likelihood with numpy and scipy: repeat purchases x, time of the last one t_x, and time observed T per customer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

#: Per-customer values; a model method given scalars returns numpy scalars, which numpy's types count as arrays.
Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64] | Floats  # how many customers share a row


@dataclass(frozen=True, slots=True)
class BgNbd:
    """Fitted parameters, in the time unit of the data they were fitted on."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def p_alive(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Floats:
        """Chance the customer has not dropped out; 1 for one-time buyers by construction (never shown as such)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        ratio = np.where(x > 0, self.a / (self.b + x - 1) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x), 0)
        alive: Floats = 1.0 / (1.0 + ratio)
        return alive

    def expected_if_active(self, t: float | Floats, x: npt.ArrayLike, T: npt.ArrayLike) -> Floats:
        """Expected purchases in (T, T + t] for a customer who is still active: the business at stake."""
        x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        hyp = np.where(np.isfinite(hyp), hyp, np.nan)
        expected: Floats = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
        return expected

    def expected_purchases(self, t: float | Floats, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Floats:
        """Expected purchases in (T, T + t]."""
        return self.p_alive(x, t_x, T) * self.expected_if_active(t, x, T)

    def expected_repeat_by(self, t: npt.ArrayLike) -> Floats:
        """Expected repeat purchases in the first t after a customer's first purchase (the tracking forecast)."""
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyp = hyp2f1(r, b, a + b - 1, t / (alpha + t))
        expected: Floats = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)
        return expected

    def p_purchase(self, t: float | Floats, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Floats:
        """Chance of at least one purchase in (T, T + t]."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        return self.p_alive(x, t_x, T) * (1 - ((self.alpha + T) / (self.alpha + T + t)) ** (self.r + x))

    def median_wait(self, x: npt.ArrayLike, T: npt.ArrayLike) -> Floats:
        """Median time from T to the next purchase if the customer is still active."""
        x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
        return (self.alpha + T) * (2 ** (1 / (self.r + x)) - 1)


def log_likelihood(params: Sequence[float] | Floats, x: Floats, t_x: Floats, T: Floats, weights: Counts) -> float:
    """Sum of ln L_i over customers (weights: how many customers share each (x, t_x, T))."""
    r, alpha, a, b = params
    first = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    ends = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        repeat = np.where(
            x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    return float(np.sum(weights * (first + np.logaddexp(ends, repeat))))


def gradient(params: Sequence[float] | Floats, x: Floats, t_x: Floats, T: Floats, weights: Counts) -> Floats:
    """d(sum of ln L_i)/d(ln r, ln alpha, ln a, ln b): analytic, so the optimiser needs no extra evaluations."""
    r, alpha, a, b = params
    ends = -(r + x) * np.log(alpha + T)
    repeat_rows = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        repeat = np.where(
            repeat_rows, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x), -np.inf
        )
        total = np.logaddexp(ends, repeat)
        w_end, w_repeat = np.exp(ends - total), np.where(repeat_rows, np.exp(repeat - total), 0.0)
        d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_end * np.log(alpha + T) - w_repeat * np.log(alpha + t_x)
        d_alpha = r / alpha - w_end * (r + x) / (alpha + T) - w_repeat * (r + x) / (alpha + t_x)
        d_a = digamma(a + b) - digamma(a + b + x) + w_repeat / a
        d_b = (
            digamma(b + x)
            - digamma(a + b + x)
            - digamma(b)
            + digamma(a + b)
            - np.where(repeat_rows, w_repeat / np.maximum(b + x - 1, 1e-12), 0.0)
        )
    slope: Floats = np.array([np.sum(weights * d) for d in (d_r, d_alpha, d_a, d_b)]) * np.array([r, alpha, a, b])
    return slope


def fit(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    *,
    penalty: float = 0.0,
    prior: tuple[float, float, float, float] | None = None,
) -> BgNbd:
    """Maximum likelihood over customers, identical (x, t_x, T) rows compressed into weights.

    Optimises the log-parameters with L-BFGS-B on time rescaled so that alpha starts near 1. With `penalty`, the
    log-parameters are pulled toward `prior` (r, alpha, a, b in the data's time unit): an early estimate on
    little data.
    """
    data = np.column_stack([np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)])
    rows, weights = np.unique(data, axis=0, return_counts=True)
    scale = float(np.mean(rows[:, 2])) or 1.0
    xs, txs, Ts = rows[:, 0], rows[:, 1] / scale, rows[:, 2] / scale
    centre = np.zeros(4)
    if prior is not None:
        r0, alpha0, a0, b0 = prior
        centre = np.log([r0, alpha0 / scale, a0, b0])

    def cost(log_params: Floats) -> tuple[float, Floats]:
        params = np.exp(log_params)
        value = -log_likelihood(params, xs, txs, Ts, weights) + penalty * float(np.sum((log_params - centre) ** 2))
        slope = -gradient(params, xs, txs, Ts, weights) + 2 * penalty * (log_params - centre)
        return value, slope

    start = centre if prior is not None else np.zeros(4)
    result = minimize(cost, start, jac=True, method="L-BFGS-B", bounds=[(-10, 10)] * 4)
    r, alpha, a, b = np.exp(result.x)
    if abs(a - 1) < 1e-6:  # the expectation divides by a - 1
        a += 1e-6
    alpha *= scale
    ll = log_likelihood((r, alpha, a, b), data[:, 0], data[:, 1], data[:, 2], np.ones(len(data)))
    return BgNbd(float(r), float(alpha), float(a), float(b), ll)
