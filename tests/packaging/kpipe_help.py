"""The option names `kpipe [SUBCOMMAND] --help` lists, for checks that files name real options."""

import re
import subprocess


def help_options(kpipe, *args):
    """Names such as -t and --topic from the help's option lines (not from descriptions)."""
    text = subprocess.run([kpipe] + list(args) + ["--help"], capture_output=True, text=True,
                          timeout=30, check=True).stdout
    names = set()
    for match in re.finditer(r"^  (-[-\w,]+)", text, re.MULTILINE):
        names.update(n for n in match.group(1).split(",") if n.startswith("-"))
    return names
