#!/usr/bin/env python
"""Django's command-line utility for Doeplein."""

import os
import sys
from pathlib import Path


def main():
    # platform/ is a source folder, not a package: put it on the path (appended, so that
    # `import platform` keeps finding the standard library).
    here = Path(__file__).resolve().parent
    for folder in (here, here / "platform"):
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
