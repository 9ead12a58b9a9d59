"""How sure a rate is: the Wilson lower bound (95 %) the ranking orders units by.

A unit with 4 callbacks, all satisfied, has a rate of 100 %, but 4 answers say little: the
Wilson interval of 4/4 reaches down to 51 %. One of 130 with 120 satisfied (92.3 %) is known
to within a few points, its lower bound is 86.4 %. Ranking by the lower bound puts the unit
whose good rate is proven above the one that was lucky, and the bound rises towards the rate
itself as the callbacks add up. Why this method and not an empirical-Bayes adjustment, with
a worked example: docs/decisions/0007-ranking-small-samples.md.

  p̂ = successes / n,  z = 1.96 (95 %, two-sided)
  lower = (p̂ + z²/2n − z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)
"""

from __future__ import annotations

import math

Z_95 = 1.959964  # the standard normal quantile of 97.5 %: a two-sided 95 % interval


def wilson_lower(successes: float, n: int, z: float = Z_95) -> float:
    """The lower end of the Wilson score interval for `successes` out of `n`. `successes` may
    be fractional (the satisfaction rate counts a basically satisfied answer as a weight)."""
    if n <= 0:
        raise ValueError("a rate needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie between 0 and n: {successes} of {n}")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # never below 0: rounding can leave -1e-17 when p is 0
    return max(0.0, (centre - margin) / (1 + z2 / n))


def rate_label(successes: float, n: int) -> str:
    """A rate with the count it is made of, as people check it: "92.3 %（120/130）". A
    weighted count keeps one decimal ("91.5 %（118.9/130）"); no callbacks give "—"."""
    if n <= 0:
        return "—"
    count = f"{round(successes, 1):g}"
    return f"{100 * successes / n:.1f} %（{count}/{n}）"
