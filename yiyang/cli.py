"""The `yiyang` console command: manage.py under a product name (`yiyang seed`, `yiyang runserver`)."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["yiyang", *args])
    return 0
