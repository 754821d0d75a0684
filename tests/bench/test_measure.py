"""The benches' pure helpers: percentiles and the /proc parsing behind the server's CPU."""

from __future__ import annotations

from bench.measure import latency_summary, parse_rss_kb, parse_stat, pct


def test_pct_is_the_nearest_rank_quantile() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100, shuffled order must not matter
    assert pct(list(reversed(values)), 0.5) == 51.0
    assert pct(values, 0.95) == 95.0
    assert pct(values, 0.99) == 99.0
    assert pct([7.0], 0.99) == 7.0


def test_latency_summary_in_milliseconds() -> None:
    summary = latency_summary([0.010, 0.020, 0.030, 0.040])
    assert summary == {
        "p50_ms": 30.0,
        "p95_ms": 40.0,
        "p99_ms": 40.0,
        "max_ms": 40.0,
        "mean_ms": 25.0,
    }
    assert set(latency_summary([]).values()) == {None}


def test_parse_stat_counts_fields_after_a_command_name_with_spaces() -> None:
    # the name may hold spaces and parentheses: fields are counted after the last ')'
    line = "4242 (uvicorn (w) 1) S 4200 4242 4200 0 -1 4194560 900 0 0 0 150 37 0 0 20 0 3 0"
    assert parse_stat(line) == (4200, 187)


def test_parse_rss_kb() -> None:
    status = "Name:\tpython\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t3\n"
    assert parse_rss_kb(status) == 123456
    assert parse_rss_kb("Name:\tzombie\nState:\tZ (zombie)\n") == 0
