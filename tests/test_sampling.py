"""Parameter distributions against their closed-form moments."""

import numpy as np
import pytest

from wargame.model.params import Normal, Pert, Triangular, Uniform
from wargame.model.sampling import sample

N = 40000
REPS = np.arange(N, dtype=np.int64)


def _check(x, mean, var):
    se = np.sqrt(var / N)
    assert abs(x.mean() - mean) < 5 * se
    assert abs(x.var() - var) < 0.05 * var


def test_uniform():
    x = sample(Uniform(dist="uniform", low=2, high=5), "u", 1, REPS)
    assert x.min() >= 2 and x.max() < 5
    _check(x, 3.5, 9 / 12)


def test_triangular():
    a, m, b = 1.0, 2.0, 6.0
    x = sample(Triangular(dist="triangular", low=a, mode=m, high=b), "t", 1, REPS)
    _check(x, (a + m + b) / 3, (a * a + m * m + b * b - a * m - a * b - m * b) / 18)


def test_pert():
    a, m, b = 10.0, 20.0, 60.0
    x = sample(Pert(dist="pert", low=a, mode=m, high=b), "p", 1, REPS)
    al = 1 + 4 * (m - a) / (b - a)
    be = 1 + 4 * (b - m) / (b - a)
    mean = a + (b - a) * al / (al + be)
    var = (b - a) ** 2 * al * be / ((al + be) ** 2 * (al + be + 1))
    assert x.min() >= a and x.max() <= b
    _check(x, mean, var)


def test_truncated_normal():
    x = sample(Normal(dist="normal", mean=0.0, sd=1.0, low=0.0), "n", 1, REPS)
    assert x.min() >= 0
    _check(x, np.sqrt(2 / np.pi), 1 - 2 / np.pi)  # half-normal


def test_draws_depend_only_on_replication_and_key():
    p = Triangular(dist="triangular", low=0, mode=1, high=3)
    full = sample(p, "k", 9, REPS[:100])
    part = sample(p, "k", 9, REPS[40:60])
    np.testing.assert_array_equal(full[40:60], part)
    assert not np.array_equal(full, sample(p, "other.key", 9, REPS[:100]))


@pytest.mark.parametrize("bad", [dict(dist="uniform", low=3, high=1), dict(dist="triangular", low=0, mode=5, high=1)])
def test_bad_distributions_rejected(bad):
    from pydantic import TypeAdapter, ValidationError

    from wargame.model.params import Dist

    with pytest.raises(ValidationError):
        TypeAdapter(Dist).validate_python(bad)
