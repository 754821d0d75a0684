"""Generate the never-tuned split: customer requests built by code from the capability
descriptions (PRODUCT.md's "what it covers" column, CONTRACT §2's tool catalogue), then typed the
way customers type — typos, filler, slang, run-ons.

    python -m evals.untuned.generate            # rewrites evals/untuned/requests.csv

Nobody tunes the engine on this file: exemplars, word lists and thresholds are never changed to
make one of its rows pass. It is measured before and after every change to the engine, beside the
dev sets (`python -m evals.devsets requests --dir evals/untuned`).

Each capability lists the *needs* its description names (an object of the request) and the verbs
a customer uses for them; a row is one verb + one need in one frame, then one or two kinds of
noise. Seeded, so the file is reproducible."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS_PER_CAPABILITY = 8
SEED = 20261207

# capability -> (needs, frames). A frame's `{}` takes a need. Written from the descriptions only.
NEEDS: dict[str, tuple[list[str], list[str]]] = {
    "faq": (
        [
            "the fee for leaving a contract early",
            "what the unlimited plan comes with",
            "the steps to set up voicemail on an iphone",
            "whether wifi calling costs extra",
            "the policy on unlocking a handset",
            "how long a number transfer takes",
        ],
        ["what is {}", "could you explain {}", "question about {}", "tell me {}"],
    ),
    "balance_usage": (
        [
            "credit i have left",
            "data remaining this month",
            "minutes used so far",
            "extra charges on my usage",
            "allowance left on my line",
        ],
        ["show me the {}", "check the {}", "need to know the {}", "whats the {}"],
    ),
    "top_up": (
        ["£15 credit", "a tenner of credit", "20 quid", "£5 onto my payg"],
        ["top up {}", "put {} on my phone", "add {} to my number", "recharge with {}"],
    ),
    "plan_change": (
        ["a bigger data plan", "a cheaper tariff", "the unlimited plan", "a sim only contract"],
        ["switch me to {}", "i wanna move to {}", "upgrade my line to {}", "sign me up for {}"],
    ),
    "renewal": (
        ["my monthly bundle", "my plan for another month", "the bundle that runs out"],
        ["renew {}", "please renew {}", "can you renew {} today"],
    ),
    "addons_limits": (
        [
            "a 5gb data add on",
            "a spending cap of £30",
            "a limit on my data",
            "an extra bundle of minutes",
        ],
        ["buy {}", "i want {}", "put {} on my account", "set up {}"],
    ),
    "roaming": (
        ["roaming for my trip to france", "data abroad", "roaming while im in italy"],
        ["turn on {}", "switch off {}", "enable {}", "i need {}"],
    ),
    "billing_payments": (
        [
            "explain my latest bill",
            "dispute a charge i dont recognise",
            "pay the invoice from last month",
            "set up automatic payments",
            "change the card i pay with",
        ],
        ["{}", "i want to {}", "can you {}", "need to {}"],
    ),
    "call_features": (
        ["call forwarding", "call waiting", "voicemail", "caller id"],
        ["turn on {}", "disable {}", "switch {} off", "activate {}"],
    ),
    "sim_line": (
        [
            "activate my new sim",
            "get an esim",
            "block my stolen phone",
            "swap to a replacement sim card",
        ],
        ["{}", "i need to {}", "{} right now", "help me {}"],
    ),
    "coverage_faults": (
        ["no signal in my house", "really slow internet", "an outage in my area", "dropped calls"],
        ["ive got {}", "theres {}", "report {}", "fix {}"],
    ),
    "request_status": (
        ["my order", "my fault ticket", "my service request", "the delivery of my phone"],
        ["wheres {}", "any update on {}", "status of {}", "whats happening with {}"],
    ),
    "retention": (
        ["my contract", "my account with you", "my broadband contract"],
        ["cancel {}", "i want to end {}", "close {} im leaving", "terminate {}"],
    ),
    "human_agent": (
        ["a real person", "an agent", "someone from your team", "a human"],
        ["let me talk to {}", "put me through to {}", "i need {}", "connect me with {}"],
    ),
    "greeting": (
        ["hello", "thanks a lot", "cheers", "good morning"],
        ["{}", "{} mate", "{} then"],
    ),
    "out_of_scope": (
        ["a flight to rome", "a table for two tonight", "the football score", "a pizza"],
        ["book me {}", "find me {}", "can you get me {}", "what about {}"],
    ),
}
FILLERS = ("um", "so basically", "right so", "ok so", "hiya", "quick q", "pls", "asap", "innit")
SLANG = {"you": "u", "your": "ur", "please": "pls", "are": "r", "want to": "wanna", "to": "2"}
RUN_ONS = (
    "been meaning to do this for ages",
    "my daughter said to ask here",
    "sorry if this is the wrong place",
    "this is the third time im trying",
)


def _typo(text: str, rng: random.Random) -> str:
    words = list(re.finditer(r"[a-z]{4,}", text))
    if not words:
        return text
    m = rng.choice(words)
    w, i = m.group(0), rng.randrange(1, len(m.group(0)) - 1)
    new = rng.choice([w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :], w[:i] + w[i + 1 :]])
    return text[: m.start()] + new + text[m.end() :]


def _filler(text: str, rng: random.Random) -> str:
    f = rng.choice(FILLERS)
    return f"{f} {text}" if rng.random() < 0.5 else f"{text} {f}"


def _slang(text: str, rng: random.Random) -> str:
    for word, short in SLANG.items():
        if rng.random() < 0.7:
            text = re.sub(rf"\b{word}\b", short, text)
    return text


def _run_on(text: str, rng: random.Random) -> str:
    extra = rng.choice(RUN_ONS)
    return f"{extra} {text}" if rng.random() < 0.5 else f"{text} {extra}"


NOISE = (_typo, _filler, _slang, _run_on)


def generate(seed: int = SEED) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    for capability, (needs, frames) in NEEDS.items():
        seen: set[str] = set()
        while len(seen) < min(ROWS_PER_CAPABILITY, len(needs) * len(frames)):
            clean = rng.choice(frames).format(rng.choice(needs))
            if clean in seen:
                continue
            seen.add(clean)
            text = clean
            kinds = NOISE if capability != "greeting" else NOISE[:3]  # "hi" + a story is not a hi
            for noise in rng.sample(kinds, rng.choice((1, 2))):
                text = noise(text, rng)
            rows.append((text, capability))
    return rows


def main() -> None:
    with (HERE / "requests.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "capability"])
        writer.writerows(generate())


if __name__ == "__main__":
    main()
