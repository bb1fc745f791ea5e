"""System checks: the layout rules that keep the platform importable."""

import platform as stdlib_platform

from django.core.checks import Error, register


@register()
def platform_is_the_standard_library(app_configs, **kwargs):
    """``platform/`` is a source folder; it must never shadow the standard library's module."""
    if not hasattr(stdlib_platform, "python_version"):
        return [
            Error(
                "`import platform` does not give Python's standard library.",
                hint="Remove platform/__init__.py: platform/ is a source folder holding the package doeplein.",
                id="doeplein.E001",
            )
        ]
    return []
