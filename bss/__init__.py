"""bss package."""
