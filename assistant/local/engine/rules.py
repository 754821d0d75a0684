"""What the engine reads in a message before deciding: the patterns of a request, a question,
leaving, free money, re-instruction, and the thresholds of the learned acts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.local.acts import classify_act
from assistant.local.planner import Step
from assistant.local.speech_acts import Decision
from assistant.local.text import OPERATOR, normalise

READ_TOOLS = frozenset(
    {
        "get_account_overview",
        "get_usage",
        "list_offers",
        "get_bills",
        "get_request_status",
        "check_coverage",
        "search_knowledge",
    }
)
RETENTION_WORDS = re.compile(
    r"\b(cancel\w*|cancle|leav\w*|switch\w* (provider|network|to)|pac|stac|compensat\w*|refund|"
    r"money back|complain\w*|terminat\w*|close (my|the|our) account|end (my|the|our) contract|"
    r"rubbish|unhappy|fed up|joke|moving to|port\w* (my number )?out|going to (ee|o2|vodafone|"
    r"three|giffgaff|sky|virgin)|elsewhere|don'?t want (this|the|your)|owe me|deserve|"
    r"disgust\w*)\b",
    re.IGNORECASE,
)
# An amount on a bill or a charge ("a random 6.40 on my bill") is not a top-up unless
# the customer also says they want to add credit.
A_CHARGE = re.compile(r"\b(bill\w*|charg\w*|fees?|invoice)\b", re.IGNORECASE)
TOP_UP_WORDS = re.compile(
    r"\b(top\w*|topup|recharge\w*|add\w*|put\w*|load\w*|credit|chuck|stick|bung|"
    r"tenner|fiver|quid|payg|pay as you go|on (my|the|this|me) (phone|number|mobile|sim|"
    r"account|line))\b",
    re.IGNORECASE,
)
OPEN_TOOLS = frozenset({"search_knowledge", "check_coverage", "transfer_to_human"})
FREE_TEXT_SLOTS = frozenset({"detail", "description"})
ON_OFF_CAPABILITIES = frozenset({"roaming", "call_features"})
NOT_STATUS = frozenset({"human_agent", "retention", "greeting"})
# The slot naming a catalog item, and the intent that acts on it, per capability.
ITEM_SLOTS = {
    "addons_limits": ("addon_id", "buy_addon"),
    "plan_change": ("plan_id", "change_plan"),
}  # the intent is also the name of its write tool
# "am I talking to a robot?", "are you a real person?" — a question about the assistant.
ARE_YOU_A_BOT = re.compile(
    r"^\W*(am i (talking|chatting|speaking) (to|with)|are you|is this|r u)( just| really)? "
    r"(a |an )?(real )?(bot|robot|ai|computer|machine|person|human|automated)\b",
    re.IGNORECASE,
)
I_AM_A_BOT = (
    f"I'm {OPERATOR}'s virtual assistant — an automated helper, not a person. I can sort most "
    "things here, and a member of our team is always one step away. Would you like me to put "
    "you through to a person? (yes/no)"
)
# A message that poses as staff or the system, or tries to give the assistant new rules.
REINSTRUCTS = re.compile(
    r"^\W*\[?\s*(agent|system|admin|staff|operator|developer|supervisor)\s*(note|message|"
    r"override|instruction|mode)\b|\b(you are now|from now on,? you|ignore (all |any )?(the )?"
    r"(previous|prior|earlier|your|above) (instructions|rules|prompts?)|with no rules|"
    r"without (any )?rules|developer mode|admin mode|god mode|jailbreak|pretend (to be|you'?re|"
    r"you are)|let'?s play a game|role-?play as)\b",
    re.IGNORECASE,
)
NOT_INSTRUCTIONS = (
    "I can't take instructions like that — I act only on your own requests, and anything that "
    "costs money is quoted and confirmed by you first. What can I help you with today?"
)
# "what's your customer service number?" asks for contact details; it is not a request to be
# put through (that is always honoured when asked for).
CONTACT_DETAILS = re.compile(
    r"\b(phone number|number (for|to call|to ring)|contact (number|details)|e-?mail address|"
    r"opening (hours|times)|what time (are|is) .{0,20}open|how (do|can) i (contact|call|ring|"
    r"reach))\b",
    re.IGNORECASE,
)
# The reading intent of a capability, for a short follow-up question on the same topic
# (None: the intent of the previous turn, which already reads).
READ_INTENT: dict[str, str | None] = {
    "coverage_faults": None,
    "billing_payments": "explain_bill",
    "balance_usage": None,
    "request_status": None,
    "renewal": "renewal_date",
    "roaming": "roaming_info",
}
REFERS_BACK = re.compile(
    r"\b(it|that|this|those|these|them|anything else|else|any more|anymore|still)\b", re.I
)
# Leaving, said outright: a retention conversation whatever else the message says.
LEAVING = re.compile(
    r"\b(want|wanna|going|planning|like|need|gonna|time) to (leave|end (my|the|our) contract|"
    r"cancel (my|the|our) (contract|account|broadband|line)|terminate|switch (provider|network)|"
    r"go (somewhere|elsewhere)|move to (another|a different) (provider|network))\b|"
    r"\bleave (you|your network)\b|\btake my number (with me|elsewhere|to)\b",
    re.IGNORECASE,
)
# Money for nothing: "add 50 free credit", "top up 100 for free, it's a test".
FREE_MONEY = re.compile(
    r"\b(free (credit|top ?ups?|money|minutes|data)|for free|free of charge|no charge|"
    r"without (paying|charging|being charged)|don'?t charge)\b",
    re.IGNORECASE,
)
MONEY_CAPABILITIES = frozenset({"top_up", "billing_payments", "addons_limits", "plan_change"})
# A question that general help can answer for someone who is not signed in ("how can I pay my
# bill?", "what's the code to cancel forwarding"), unlike a request ("can you top me up").
GENERAL_QUESTION = re.compile(
    r"^(?!.*\b(i want|i'd like|i need|please|pls)\b)\W*(how|what|what'?s|whats|which|when|"
    r"why|where|is|are|does|do|can i|wat)\b",
    re.IGNORECASE,
)


HOW_MIN = 0.6  # a `how` act at least this likely is a question about how things work
CHANGE_SURE = 0.8  # an interrogative below this `change` probability still only asks
# The form of a request, whatever its topic's neighbours: never read as a how-question.
REQUEST_FORM = re.compile(
    r"\b(i want|i wanna|i'd like|i would like|i need|please|pls|plz|can you|could you|"
    r"will you|would you|get me|give me|sign me|put me|set me|report|set up|sort out)\b|"
    r"^\W*(can|could|may) i (just |only |also |now )?"
    r"(get|have|add|renew|buy|pay|put|do|make|top|change|switch|upgrade|order)\b",
    re.IGNORECASE,
)
INTERROGATIVE = re.compile(
    r"\?\s*$|^\W*(how|what|what'?s|whats|wat|wot|which|when|why|where|who|is|are|does|do|"
    r"can i|could i|will|would|am i|should i|hw)\b",
    re.IGNORECASE,
)
NO_KNOWLEDGE_FOR = frozenset({"greeting", "human_agent", "request_status"})


RETENTION_SURE = 0.4  # a retention reading this likely stands without a leaving word
PROBE_MIN = 0.75  # an unrecognised message whose best passage scores under this is not telco
# (CLINC150 oos train+val, 200: 0.5% reach it; our own how-questions: 84%)


def telco_passages(parsed: Sequence[Any]) -> bool:
    scores = [float(p.get("score") or 0.0) for r in parsed for p in r.passages]
    return max(scores, default=0.0) >= PROBE_MIN


# "how do I…", "does my phone…", "why…" ask how things work ("do I…" is often about the account:
# "do I owe you money" — the learned act decides it): never a quote, whatever the act
# classifier's neighbours say ("how would I unblock my line" is not "unblock my line"). "can I…"
# is left to the learned act: in British English it is as often a request ("can I get the
# unlimited texts add-on") as a question.
HOW_THINGS_WORK = re.compile(
    r"^\W*(?:[\w' ]{0,30}[,;:]\s*)?"  # "on my iphone, how can i…"
    r"(how (do|can|does|would|should|long|much|many|soon|quickly)|hw (do|can)|"
    r"does|why|is it possible|what happens|what do i|what should i)\b",
    re.IGNORECASE,
)


def asks_how(act: Decision | None, text: str) -> bool:
    """A question about how things work (learned act; an interrogative not surely a request)."""
    if HOW_THINGS_WORK.match(text):
        return True
    if act is None or REQUEST_FORM.search(text):
        return False
    if act.label == "how":
        return act.probability >= HOW_MIN
    # a question mark or a question word, and not surely a request ("daily top up max?")
    return (
        act.label == "change" and act.probability < CHANGE_SURE and bool(INTERROGATIVE.search(text))
    )


UNASKED_MIN = 0.45  # a how act at least this likely did not ask for a change


def unasked_write(act: Decision | None, text: str, step: Step) -> bool:
    """The plan would quote a change the customer did not ask for: the learned act reads the
    message as a question about how things work ("abroad and no internet", "phone's asking for a
    PUK"), and it has no request form. A quote needs a request (issue 15). The `account` act is
    not enough: "close my account" reads as one."""
    if act is None or act.label != "how" or act.probability < UNASKED_MIN:
        return False
    if REQUEST_FORM.search(text):
        return False
    return any(name not in READ_TOOLS for name, _ in step.calls)


def is_question(act: Decision | None, text: str) -> bool:
    """A question (a question mark or a question word) that is not a request in question form
    ("can you turn on roaming?"): the learned act must not read it as surely a change."""
    if REQUEST_FORM.search(text) and not HOW_THINGS_WORK.match(text):
        return False
    if not (asks_how(act, text) or INTERROGATIVE.search(text)):
        return False
    return act is None or act.label != "change" or act.probability < CHANGE_SURE


def not_an_answer(step: Step, capability: str) -> bool:
    """The plan would quote, ask for a detail or hand over rather than read or answer."""
    if capability in NO_KNOWLEDGE_FOR:
        return False
    if not step.calls:
        return step.outcome in {"clarified", "refused"}
    return any(name not in READ_TOOLS or name == "transfer_to_human" for name, _ in step.calls)


# The account reads a how-question is answered by instead, when the learned act is sure enough
# that it asks how things work ("how long does a number transfer take" is not "where is mine").
ACCOUNT_READS = frozenset({"get_account_overview", "get_usage", "get_bills", "get_request_status"})


def reads_instead(act: Decision | None, text: str, step: Step) -> bool:
    """The plan reads the customer's account, but the learned act reads the message as a
    question about how things work (not a request in question form): the articles answer."""
    if act is None or act.label != "how" or act.probability < HOW_MIN:
        return False
    if REQUEST_FORM.search(text) and not HOW_THINGS_WORK.match(text):
        return False
    if step.awaiting:  # a read that diagnoses ("why won't my phone connect": the line first)
        return False
    if REFERS_BACK.search(text):  # "is it fixed?": about the customer's own case
        return False
    return bool(step.calls) and all(name in ACCOUNT_READS for name, _ in step.calls)


# A person named in a question about reaching one ("is there a human i can talk to") asks for one.
A_PERSON = re.compile(
    r"\b(human|person|people|agent|advis[eo]r|operator|someone|somebody|rep|representative|"
    r"staff|manager|supervisor)\b",
    re.IGNORECASE,
)
ACCOUNT_SURE = 0.75  # an `account` act at least this likely asks only about the account
ASKS_CHANGE = 0.5  # a `change` act at least this likely asks for a change
WITH_ARTICLES_MIN = 0.9  # the articles join an account read only with a passage this strong


def reads_with_articles(act: Decision | None, text: str, step: Step) -> bool:
    """The plan only reads the account, but the learned act is not sure
    the message asks about the account: a signed-in customer's "my ticket says pending, what
    does that mean" or "do bolt-ons renew themselves" is as often a question about how things
    work. The account is read and the help articles are asked too; what they say joins the
    reply only if a passage answers strongly (`AfterTools`)."""
    if act is None or act.probability >= {"account": ACCOUNT_SURE, "change": ASKS_CHANGE}.get(
        act.label, 2.0
    ):
        return False
    if REQUEST_FORM.search(text) and not HOW_THINGS_WORK.match(text):  # "i want a new plan"
        return False
    if step.awaiting or step.offer or not step.calls:  # a read that diagnoses or leads on
        return False
    return all(name in ACCOUNT_READS for name, _ in step.calls)


NO_FREE_MONEY = (
    "Sorry, I can't add credit or services for free — every top-up and purchase is paid from "
    "your own payment method and confirmed by you first. I can quote a normal top-up, or put "
    "you through to a person if you think you're owed something."
)


def asks(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(GENERAL_QUESTION.match(text))


def asks_more(text: str) -> bool:
    """A short question that points back at what was just discussed."""
    words = len(text.split())
    return asks(text) and words <= 10 and bool(REFERS_BACK.search(text))


def wants_person_now(text: str) -> bool:
    """'are you a bot? I want a human' asks for a person, not about the assistant."""
    return any(
        classify_act(normalise(part)) == ("human_agent", "human")
        for part in re.split(r"[?.!,;]", text)
    )
