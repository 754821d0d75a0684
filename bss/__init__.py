"""The built-in BSS simulator: TM Forum Open APIs v4 over the Brightwave Mobile demo world."""

from bss.app import create_bss_app

__all__ = ["create_bss_app"]
