"""The `switchboard` command line: the top floor. It composes every package (api, assistant,
bss, evals, knowledge, tools, switchboard) and nothing of the project imports it."""
