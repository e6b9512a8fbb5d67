"""What customers say: the Net Promoter Score from answers or counts, and the Customer Loyalty Index."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from retention_core.metrics._checks import (
    _finite_results,
    _first_bad,
    _non_negative,
    _values,
)

__all__ = [
    "customer_loyalty_index",
    "net_promoter_score",
    "nps_from_counts",
]


# --------------------------------------------------------------------------------------------------------------
# Survey scores: NPS and customer loyalty index
# --------------------------------------------------------------------------------------------------------------


def net_promoter_score(scores: Sequence[int]) -> float:
    """Net Promoter Score from the answers to "How likely is it that you would recommend us to a friend?".

    Answers are whole numbers 0–10. Promoters answer 9–10, detractors 0–6, passives 7–8; passives count
    in the number of answers but on neither side. Whole-number floats (9.0) are accepted.

    Formula: NPS = (P − D) / n × 100   (P promoters, D detractors, n all answers)

    Units: points from −100 to +100.

    Reference: Reichheld (2003), "The One Number You Need to Grow", HBR 81(12); seed article 001.
    """
    answers = _values("scores", scores, low=0, high=10)
    _first_bad("scores", answers, answers != np.floor(answers), "must be whole numbers from 0 to 10")
    promoters = int(np.count_nonzero(answers >= 9))
    detractors = int(np.count_nonzero(answers <= 6))
    return (promoters - detractors) / answers.size * 100.0


def nps_from_counts(promoters: float, passives: float, detractors: float) -> float:
    """Net Promoter Score from the number of promoters, passives and detractors.

    Same score as :func:`net_promoter_score` when the answers are already counted by group.

    Formula: NPS = (P − D) / (P + Pa + D) × 100

    Units: points from −100 to +100.

    Reference: Reichheld (2003), "The One Number You Need to Grow", HBR 81(12).
    """
    p = _non_negative("promoters", promoters)
    pa = _non_negative("passives", passives)
    d = _non_negative("detractors", detractors)
    n = p + pa + d
    if n <= 0:
        raise ValueError(f"promoters + passives + detractors must be > 0, got {n:g}")
    if not math.isfinite(n):
        raise ValueError(f"promoters + passives + detractors must be a finite number, got {n:g}")
    return (p - d) / n * 100.0


def customer_loyalty_index(
    recommend: Sequence[float], repurchase: Sequence[float], try_new: Sequence[float]
) -> float:
    """Customer loyalty index (CLI): the mean of three loyalty questions answered on a 0–10 scale.

    Each argument holds the answers to one question: how likely the customer is to recommend you, to buy
    again, and to try new products. The index is the average of the three question averages, so every
    question weighs the same even when they have different numbers of answers.

    Formula: CLI = (mean(recommend) + mean(repurchase) + mean(try_new)) / 3

    Units: points on the 0–10 answer scale.

    Reference: seed article 001 (Trustmary 2024, "Kundenbindungsindex (CLI)": Freunde werben, wieder
    kaufen, neue Produkte ausprobieren).
    """
    means = [
        float(_values(name, answers, low=0, high=10).mean())
        for name, answers in (("recommend", recommend), ("repurchase", repurchase), ("try_new", try_new))
    ]
    return math.fsum(means) / 3.0


_finite_results(globals())  # the formulas above read as formulas; their common promise is kept in _checks, once
