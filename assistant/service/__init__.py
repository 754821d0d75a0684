"""The conversation service every channel uses (`conversations`), the runner that drives one turn
into the event log (`runner`), an action's result in its conversation and the recovery sweep
(`action_results`), what the service is built from (`deps`), and the assembly of it all
from settings (`runtime`, `build_runtime`).

The top of the assistant: may import every other part of it; nothing in the assistant imports it."""
