"""English number words, for the parsers that read numbers customers type as words: amounts
(assistant/local/amounts.py) and survey scores (switchboard/satisfaction.py)."""

from __future__ import annotations

UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {
    word: 10 * value
    for value, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2
    )
}
