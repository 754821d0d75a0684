"""Keyword cues: telco vocabulary, banking vocabulary and a few strong per-capability phrases.

They complement the embeddings where embeddings are weakest: rare product words ("esim",
"PAC"), and near-domain wording whose meaning flips with one noun ("top up my *card*").
"""

from __future__ import annotations

import re

from switchboard.currency import CURRENCY_SIGN, MONEY_WORDS

DOMAIN = re.compile(
    r"\b(phones?|mobiles?|sims?|esim|data|gb|mb|credit|top ?up|topped|recharge|plans?|bundles?|"
    r"tariffs?|contracts?|bills?|billed|billing|roaming|abroad|signal|coverage|network|mast|"
    r"broadband|fibre|fiber|wi-?fi|router|internet|voicemail|calls?|calling|texts?|minutes|"
    r"numbers?|line|[345]g|add-?ons?|bolt ons?|boosts?|pac|stac|port|handset|outage|allowances?|"
    r"operator|provider|upgrade|caller id|forwarding|divert|autopay|direct debit|"
    r"spending (cap|limit)|"
    r"engineer|ticket|payg|pay as you go|usage|overcharged|renew(al)?|suspend(ed)?|"
    r"stolen|puk|apn|mms|sms|tethering|hotspot)\b"
    # an amount put on something is a top-up ("put 30 on", "a tenner", "20 quid")
    rf"|{CURRENCY_SIGN}\s?\d|\b\d+\s?{MONEY_WORDS}\b|\b(a )?(tenner|fiver)\b|\bput \d+ on\b"
)
BANKING = re.compile(
    r"\b(bank|banking|debit card|credit card|my card|the card|cards?|atm|cash machine|cheque|"
    r"transfer(red)?|savings|isa|mortgage|loan|interest|exchange rate|currency|wallet|"
    r"apple pay|google pay|pin|iban|sort code|routing|beneficiary|statement|overdraft|"
    r"credit score|crypto|bitcoin|shares|stocks)\b"
)
# A phone-context word that makes a banking-sounding message a telco one again.
PHONE_CONTEXT = re.compile(r"\b(phone|mobile|sim|number|line|bundle|07\d{3}|\+447)\b")

_PLACES = (
    r"(spain|france|italy|portugal|greece|germany|ireland|turkey|the usa|usa|america|canada|"
    r"australia|new zealand|new york|thailand|japan|china|india|dubai|mexico|brazil|egypt|"
    r"morocco|switzerland|norway|iceland|netherlands|belgium|croatia|cyprus|malta|europe|the eu)"
)
_DESTINATION = re.compile(rf"\b{_PLACES}\b", re.IGNORECASE)

CAPABILITY_CUES: dict[str, re.Pattern[str]] = {
    "top_up": re.compile(
        r"\b(top ?up|topup|recharge|put .{0,20}(on|onto) my (phone|sim|mobile)|put \d+ on)"
    ),
    "roaming": re.compile(
        rf"\b(roam(ing)?|abroad|holiday|overseas|(in|to|from|visiting) {_PLACES})\b"
    ),
    "call_features": re.compile(
        r"\b(call (forwarding|waiting|divert)|divert|forward (my )?calls|"
        r"caller id|withhold|voicemail (on|off))\b"
    ),
    "sim_line": re.compile(
        r"\b(stolen|nicked|lost (my )?(phone|mobile)|esim|sim swap|"
        r"new sim|replacement sim|block (my )?(sim|line|phone))\b"
    ),
    "coverage_faults": re.compile(
        r"\b(no signal|signal|outage|coverage|no service|slow|"
        r"broadband|fault|mast|dropping)\b"
    ),
    "billing_payments": re.compile(
        r"\b(my bill|bills?|autopay|direct debit|dispute|overcharged)\b"
    ),
    "human_agent": re.compile(
        r"\b(human|real person|an agent|advisor|representative|"
        r"speak to (someone|somebody|a person)|talk to (someone|a person))\b"
    ),
    "retention": re.compile(
        r"\b(cancel my (contract|account|plan|broadband)|leave (you|your network|this network)|"
        r"switching provider|pac code|stac|compensation|complain(t)?)\b"
    ),
    "addons_limits": re.compile(r"\b(add-?on|bolt on|boost|spending (cap|limit)|cap)\b"),
    "renewal": re.compile(r"\b(renew(al|s)?|reset)\b"),
    "request_status": re.compile(r"\b(my order|order status|ticket|track|arrive|shipped)\b"),
}


def destination(text: str) -> str | None:
    """The country or region a roaming message names ('going to Spain' -> 'spain')."""
    m = _DESTINATION.search(text)
    return m.group(1).lower() if m else None


def domain_hits(text: str) -> int:
    return len(DOMAIN.findall(text))


def banking_hits(text: str) -> int:
    """Banking words in a message that has no phone context."""
    if PHONE_CONTEXT.search(text):
        return 0
    return len(BANKING.findall(text))


def capability_cues(text: str) -> set[str]:
    return {cap for cap, pattern in CAPABILITY_CUES.items() if pattern.search(text)}
