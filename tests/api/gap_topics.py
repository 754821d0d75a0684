"""A generated set of gap questions with known topics, for the clustering test.

Each topic has several differently worded cores; every question is a core wrapped in an opener
and a closer chosen by a fixed stride, so the set is varied, reproducible and written here rather
than copied from any dataset."""

from __future__ import annotations

TOPICS: dict[str, list[str]] = {
    "wifi_calling": [
        "how do i turn on wifi calling",
        "does my phone support calls over wi-fi",
        "can i make calls using my home wifi when there is no signal",
        "wifi calling is not working on my iphone",
    ],
    "number_porting": [
        "how do i keep my number when i move to another network",
        "i want to transfer my old number to you",
        "what is a PAC code and how do i get one",
        "can i port my mobile number from my previous provider",
    ],
    "smartwatch": [
        "can i use my plan on an apple watch",
        "how do i connect my smartwatch to my mobile number",
        "does the galaxy watch work with a cellular plan from you",
        "set up a watch with its own esim sharing my number",
    ],
    "voicemail": [
        "how do i reset my voicemail pin",
        "i forgot the password for my voicemail",
        "how do i listen to my voicemail messages",
        "change my voicemail greeting",
    ],
    "phone_unlock": [
        "how do i unlock my phone to use another network's sim",
        "can you give me a network unlock code",
        "is my handset locked to your network",
        "my phone says sim not supported with another sim card, is it locked",
    ],
    "international_calls": [
        "how much does it cost to call india from the uk",
        "what are your rates for international calls to pakistan",
        "are calls to nigeria included in my plan",
        "cheapest way to phone family abroad in poland",
    ],
}
OPENERS = ["", "hi, ", "hello there. ", "quick question: ", "hey ", "sorry to bother you but "]
CLOSERS = ["", "?", " please", " thanks", " asap", "??"]
PER_CORE = 3


def generated() -> list[tuple[str, str]]:
    """(question, topic) pairs: each core with PER_CORE opener/closer pairs, by stride."""
    out = []
    for t, (topic, cores) in enumerate(TOPICS.items()):
        for c, core in enumerate(cores):
            for k in range(PER_CORE):
                opener = OPENERS[(t + c + 2 * k) % len(OPENERS)]
                closer = CLOSERS[(t * 2 + c + k) % len(CLOSERS)]
                out.append((f"{opener}{core}{closer}", topic))
    return out
