"""Text normalisation for recognition: case, quotes, slang and common misspellings, clauses."""

from __future__ import annotations

import re
import unicodedata

from switchboard.currency import CURRENCY_SIGN

# The operator's name in the engine's own sentences: the model fills it in from the system
# prompt (assistant/local/dialogue.py operator_name), so no operator is written into the code.
OPERATOR = "{operator}"

# Slang, text-speak and frequent misspellings -> the word an exemplar would use. Only whole words.
_REWRITES: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "wanna": "want to",
    "gimme": "give me",
    "gonna": "going to",
    "cant": "can't",
    "dont": "don't",
    "wont": "won't",
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "hw": "how",
    "wat": "what",
    "wot": "what",
    "whats": "what's",
    "thx": "thanks",
    "thanx": "thanks",
    "ty": "thank you",
    "tnx": "thanks",
    "txt": "text",
    "txts": "texts",
    "msg": "message",
    "fone": "phone",
    "mobil": "mobile",
    "mob": "mobile",
    "topup": "top up",
    "tpo": "top",
    "toup": "top up",
    "ballance": "balance",
    "balence": "balance",
    "blance": "balance",
    "crdit": "credit",
    "cred": "credit",
    "dat": "data",
    "roamin": "roaming",
    "romaing": "roaming",
    "roming": "roaming",
    "unlimted": "unlimited",
    "unlimitted": "unlimited",
    "chnage": "change",
    "cahnge": "change",
    "recieve": "receive",
    "bil": "bill",
    "sim's": "sim",
    "esims": "esim",
    "e-sim": "esim",
    "gigs": "gb",
    "gig": "gb",
    "gigabytes": "gb",
    "gigabyte": "gb",
    "voicemial": "voicemail",
    "vm": "voicemail",
    "broadbnd": "broadband",
    "signel": "signal",
    "sginal": "signal",
    "netwrok": "network",
    "contarct": "contract",
    "cancle": "cancel",
    "tarrif": "tariff",
    "reciept": "receipt",
    "b4": "before",
    "2day": "today",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "hav": "have",
    "av": "have",
    "wiv": "with",
    "n": "and",
    "abt": "about",
    "bout": "about",
    "sum1": "someone",
    "some1": "someone",
    "ppl": "people",
    "nd": "and",
    "bolton": "bolt on",
    "boltons": "bolt ons",
    "addon": "add-on",
    "addons": "add-ons",
}
_WORD = re.compile(rf"[a-z0-9{CURRENCY_SIGN[1:-1]}'\-]+|[^\sa-z0-9]")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;\n])\s+|\s*\n+\s*")
_AND_SPLIT = re.compile(
    r",?\s+(?:and|also|plus|then)\s+(?:also\s+)?(?:can you\s+|could you\s+|please\s+|i want to\s+|"
    r"i'd like to\s+|i need to\s+)?(?=(?:turn|switch|top|add|buy|pay|set|cancel|check|block|"
    r"change|upgrade|renew|tell|show|what|how|when|where|is|are|why|put|disable|enable|"
    r"activate|report|dispute|explain)\b)"
)


def normalise(text: str) -> str:
    """Lower-case, fold accents and quotes, rewrite slang, squeeze repeated letters and spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _REPEAT.sub(r"\1\1", text)
    words = [_REWRITES.get(w, w) for w in _WORD.findall(text)]
    return " ".join(words)


def clauses(text: str, *, limit: int = 6) -> list[str]:
    """Sentences and 'X and Y'-style clauses of a message, longest messages capped at `limit`."""
    parts: list[str] = []
    for sentence in _CLAUSE_SPLIT.split(text.strip()):
        parts.extend(p for p in _AND_SPLIT.split(sentence) if p and p.strip())
    parts = [p.strip(" ,.") for p in parts if len(p.strip(" ,.")) > 1]
    return parts[:limit] if parts else [text.strip()]


_ENGLISH = frozenset(
    "the a an and or to of in on for my me i you your is are was it this that do does can "
    "how what when where why please with have has not no yes hi hello thanks be will would".split()
)
_FOREIGN = frozenset(
    "el la los las por para que como está esta tengo quiero mi mis una uno gracias hola "
    "le les des une est je suis vous avec pour pas mon ma merci bonjour "
    "der die das und ist ich nicht mit für mein meine bitte danke hallo "
    "il di che non sono per una mio grazie ciao "
    "o os de não eu meu minha obrigado olá "
    "nie jest się w na z że mój moja dziękuję cześć".split()
)


def looks_non_english(text: str) -> bool:
    """True when a message is clearly not English (another script, or mostly foreign words)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4:
        return False
    non_latin = sum(
        1 for c in letters if not ("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f")
    )
    if non_latin / len(letters) > 0.5:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return False
    english = sum(w in _ENGLISH for w in words)
    foreign = sum(w in _FOREIGN and w not in _ENGLISH for w in words)
    return foreign >= 2 and foreign > 2 * english
