"""The arithmetic of the bench reports, apart so that it can be tested
without the peers installed (tests/scripts/bench-stats.t).

Every figure is a median over interleaved runs with its range; a ratio
between two rows is the median of the ratios of the runs taken in the
same turn (run i of both rows saw the same machine), never a ratio of
best-ofs.
"""
import statistics


def med(row, key):
    """The median of a row's runs for key (row: {"samples": [{key: x}]})."""
    return statistics.median(s[key] for s in row["samples"])


def spread(values, fmt="%.2f"):
    """'median (min–max)' of some figures; ValueError when there are none."""
    if not values:
        raise ValueError("spread of no figures")
    return (fmt + " (" + fmt + "–" + fmt + ")") % (statistics.median(values), min(values),
                                                   max(values))


def paired(a, b, key):
    """The ratios a/b of the runs taken in the same turn, for key; runs
    where b is zero are left out."""
    return [x[key] / y[key] for x, y in zip(a["samples"], b["samples"]) if y[key]]


def verdict(ok):
    """A target's verdict in bold."""
    return "**met**" if ok else "**missed**"
