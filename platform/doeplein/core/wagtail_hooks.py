"""The core registers its own demo data through the same hook plugins use."""

from doeplein.core.demo import demo_data_steps  # noqa: F401  (registers the hook)
