"""Topics from unit vectors: deterministic average-linkage agglomerative clustering on cosine.

Used for knowledge gaps (api/gaps.py): questions the assistant could not answer well, grouped by
meaning. No clustering library is a dependency and a few hundred questions need none: the
algorithm is the textbook one on a dense similarity matrix, O(n^2) memory and O(n^2) time per
merge, so it is capped (`MAX_POINTS`); callers keep the most recent questions beyond that.

Average linkage: two clusters merge while the mean cosine between their members is at least
`threshold`. Ties break by the lowest indices, so the same input always gives the same topics.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

MAX_POINTS = 1000


def cluster(vectors: NDArray[np.float32], *, threshold: float) -> list[list[int]]:
    """Groups of row indices of `vectors` (L2-normalised rows), largest group first, each group
    in ascending index order; ties in size are ordered by their first index."""
    n = len(vectors)
    if n > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} vectors can be clustered, got {n}")
    if n == 0:
        return []
    rows = np.asarray(vectors, dtype=np.float64)
    # summed similarity between clusters; the average is sums / (size_i * size_j)
    sums = rows @ rows.T
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    average = sums.copy()
    np.fill_diagonal(average, -np.inf)
    for _ in range(n - 1):
        best = int(np.argmax(average))  # first maximum in row-major order: deterministic
        i, j = divmod(best, n)
        if average[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        sums[i, :] += sums[j, :]
        sums[:, i] = sums[i, :]
        sizes[i] += sizes[j]
        alive[j] = False
        members[i].extend(members[j])
        members[j] = []
        row = np.where(alive, sums[i, :] / (sizes[i] * sizes), -np.inf)
        row[i] = -np.inf
        average[i, :] = row
        average[:, i] = row
        average[j, :] = -np.inf
        average[:, j] = -np.inf
    groups = [sorted(m) for m, keep in zip(members, alive, strict=True) if keep]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def medoid(vectors: NDArray[np.float32], group: list[int]) -> int:
    """The member of `group` most similar on average to the others (its most typical row)."""
    rows = np.asarray(vectors[group], dtype=np.float64)
    return group[int(np.argmax((rows @ rows.T).sum(axis=1)))]


def purity(groups: list[list[int]], labels: list[str]) -> float:
    """Share of points whose group's majority label is their own label (1.0 = every group pure)."""
    total = sum(len(g) for g in groups)
    if total == 0:
        return 1.0
    majority = 0
    for group in groups:
        counts: dict[str, int] = {}
        for i in group:
            counts[labels[i]] = counts.get(labels[i], 0) + 1
        majority += max(counts.values())
    return majority / total
