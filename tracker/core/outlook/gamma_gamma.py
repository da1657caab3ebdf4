"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): what an order from a customer is worth,
from the number x of their repeat orders and the mean value m of those orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GammaGamma:
    """Fitted spend parameters; v is in the shop's currency."""

    p: float
    q: float
    v: float

    @property
    def mean_order_value(self) -> float:
        """The expected value of an order from a customer we know nothing about."""
        return self.p * self.v / (self.q - 1)

    def order_value(self, x: npt.ArrayLike, m: Floats) -> Floats:
        """Expected value of a customer's next order given x repeat orders worth m on average (x = 0: the mean)."""
        x, m = np.asarray(x, dtype=float), np.nan_to_num(np.asarray(m, dtype=float))
        value: Floats = self.p * (self.v + x * m) / (self.p * x + self.q - 1)
        return value


def log_likelihood(params: Sequence[float] | Floats, x: Floats, m: Floats) -> float:
    p, q, v = params
    return float(
        np.sum(
            gammaln(p * x + q)
            - gammaln(p * x)
            - gammaln(q)
            + q * np.log(v)
            + (p * x - 1) * np.log(m)
            + p * x * np.log(x)
            - (p * x + q) * np.log(v + m * x)
        )
    )


def gradient(params: Sequence[float] | Floats, x: Floats, m: Floats) -> Floats:
    """d(log-likelihood)/d(p, q, v), analytic."""
    p, q, v = params
    common = digamma(p * x + q) - np.log(v + m * x)
    d_p = x * (common - digamma(p * x) + np.log(m) + np.log(x))
    d_q = common - digamma(q) + np.log(v)
    d_v = q / v - (p * x + q) / (v + m * x)
    return np.array([np.sum(d_p), np.sum(d_q), np.sum(d_v)])


def fit(x: npt.ArrayLike, m: npt.ArrayLike) -> GammaGamma:
    """Maximum likelihood over customers with repeat orders (x >= 1) and a positive mean order value m.

    Values are rescaled to a mean of 1 while optimising; q is kept above 1 so the mean order value exists."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    scale = float(np.mean(m))
    ms = m / scale

    def cost(log_params: Floats) -> tuple[float, Floats]:
        p, q_minus_1, v = np.exp(log_params)
        params = (p, 1 + q_minus_1, v)
        slope = gradient(params, x, ms) * np.array([p, q_minus_1, v])  # chain rule to the log-parameters
        return -log_likelihood(params, x, ms), -slope

    result = minimize(cost, np.zeros(3), jac=True, method="L-BFGS-B", bounds=[(-10, 10)] * 3)
    p, q_minus_1, v = np.exp(result.x)
    return GammaGamma(float(p), float(1 + q_minus_1), float(v * scale))
