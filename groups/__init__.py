"""The groups plugin for Doeplein. It plugs in through doeplein.plugins hooks (see wagtail_hooks.py)."""
