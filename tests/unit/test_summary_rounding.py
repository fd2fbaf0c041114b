"""The house-style rounding rule, at its edges (README: "The summary")."""

import pytest

from shared.summary_text import round_count, round_step


@pytest.mark.parametrize(("n", "measure", "zh", "en"), [
    (2637, "份", "2600余份", "more than 2,600"),   # the examples
    (396, "件", "近400件", "nearly 400"),
    (13, "件", "13件", "13"),
    (1, "人", "1人", "1"),
    (19, "人", "19人", "19"),                   # last small number: exact
    (20, "人", "20人", "20"),                   # a round number is exact
    (21, "人", "20余人", "more than 20"),
    (27, "人", "20余人", "more than 20"),
    (28, "人", "近30人", "nearly 30"),          # 30 - 28 = 2 = step/5: close below
    (83, "人", "80余人", "more than 80"),       # summary three: 80余人次
    (98, "人", "近100人", "nearly 100"),
    (99, "人", "近100人", "nearly 100"),
    (100, "册", "100册", "100"),
    (101, "册", "100余册", "more than 100"),
    (379, "件", "300余件", "more than 300"),   # 21 below 400: not close
    (380, "件", "近400件", "nearly 400"),      # 20 below 400: close
    (399, "件", "近400件", "nearly 400"),
    (1000, "册", "1000册", "1,000"),
    (1018, "册", "1000余册", "more than 1,000"),
    (2679, "份", "2600余份", "more than 2,600"),
    (2680, "份", "近2700份", "nearly 2,700"),
    (9999, "份", "近10000份", "nearly 10,000"),
    (12345, "份", "12000余份", "more than 12,000"),
    (12800, "份", "近13000份", "nearly 13,000"),
])
def test_round_count(n, measure, zh, en):
    rounded = round_count(n)
    assert rounded.zh(measure) == zh
    assert rounded.en() == en
    assert rounded.exact == n


def test_zero_is_its_own_kind_for_the_template_to_omit_or_state():
    assert round_count(0).kind == "zero"


def test_rounded_never_overstates_with_yu_and_never_reaches_with_jin():
    for n in range(20, 30_000):
        r = round_count(n)
        if r.kind == "over":
            assert r.shown < n < r.shown + round_step(n)
        elif r.kind == "nearly":
            assert n < r.shown <= n + round_step(n) // 5
        else:
            assert r.kind == "exact" and r.shown == n


@pytest.mark.parametrize("bad", [-1, 2.5, "3", None])
def test_bad_counts_are_refused(bad):
    with pytest.raises(ValueError):
        round_count(bad)
