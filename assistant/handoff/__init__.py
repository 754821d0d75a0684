"""Whether a person should take over, and why: the policy and its reason codes (`policy`), the
turn's confidence (`confidence`, ADR 0006), the signals read from the customer's words and the
model's reply (`signals`), and the capability a turn served (`capability`).

May import: the assistant's shared modules (events); nothing else of the assistant."""
