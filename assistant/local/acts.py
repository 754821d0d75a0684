"""Messages whose meaning is their form: greetings, thanks, goodbyes, asking for a person.

Checked before the recognizer because they are short, fixed and must never be refused
("ta", "operator"), and because embeddings of two-word messages are noisy.
"""

from __future__ import annotations

import re

_HELLO = (
    r"(hi|hello|hey|hiya|heya|howdy|yo|hiya there|good (morning|afternoon|evening|day)|"
    r"morning|evening|afternoon|alright|hey there|hi there|hello there|greetings)"
)
_THANKS = (
    r"(thanks|thank you|thankyou|cheers|ta|many thanks|thanks a lot|thanks so much|"
    r"thank you so much|much appreciated|nice one|brilliant|great|perfect|lovely|awesome|ok|okay)"
)
_BYE = (
    r"(bye|goodbye|bye bye|see you|see ya|cya|later|take care|that'?s (all|everything)|"
    r"nothing else|no,? that'?s all|that'?s it|all sorted|all good)"
)
_TAIL = (
    r"( (mate|thanks|thank you|cheers|then|bye|for now|for your help|very much|again|"
    r"a lot|so much|everyone|there|all|all the best))*"
)
HELLO = re.compile(rf"^({_HELLO})( ({_HELLO}|there|all|team))*[ !.,]*$")
THANKS = re.compile(rf"^(({_THANKS})[ ,!.]*)+{_TAIL}[ ,!.]*(({_BYE}){_TAIL})?[ !.]*$")
BYE = re.compile(rf"^(({_THANKS}|ok|okay)[ ,!.]*)*({_BYE}){_TAIL}[ !.]*$")
HUMAN = re.compile(
    r"\b(speak|talk|chat|connect|put|transfer|get) (me )?(to|with|through to)? ?(a |an |some |"
    r"the |your )?(real |actual |live |proper )?(human|person|people|agent|advisor|adviser|"
    r"operator|representative|rep|someone real|somebody real|manager|supervisor|staff|"
    r"customer service|customer services)\b|^(human|agent|operator|representative|"
    r"real person|a person|person|advisor|adviser)( please| pls| now)?[ !.]*$|"
    r"\b(i want|i need|i'?d like|can i have|give me|get me) (a |an |to speak to a |to talk to a )?"
    r"(human|real person|person|agent|advisor)\b|\bnot (a|another) bot\b|\bdon'?t want a bot\b"
)


def classify_act(normalised: str) -> tuple[str, str] | None:
    """(capability, intent) for a greeting/thanks/goodbye or a request for a person, else None."""
    text = normalised.strip()
    if HUMAN.search(text):
        return ("human_agent", "human")
    if HELLO.match(text):
        return ("greeting", "hello")
    if BYE.match(text):
        return ("greeting", "goodbye")
    if THANKS.match(text):
        return ("greeting", "thanks")
    return None
