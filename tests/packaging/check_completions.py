"""Checks completions/kpipe.bash and completions/_kpipe: bash syntax, that sourcing registers a
completion for kpipe which completes subcommands and options, and that both scripts list exactly
the options `kpipe --help` and `kpipe SUBCOMMAND --help` show. zsh's syntax check runs only when
zsh is installed. Usage: check_completions.py KPIPE_BIN COMPLETIONS_DIR"""

import os
import re
import shutil
import subprocess
import sys

import kpipe_help

KPIPE, COMPLETIONS = sys.argv[1], sys.argv[2]
BASH_SCRIPT = os.path.join(COMPLETIONS, "kpipe.bash")
ZSH_SCRIPT = os.path.join(COMPLETIONS, "_kpipe")
SUBCOMMANDS = ["broker", "produce", "consume", "transform", "replay-dlq", "topic-check"]
failures = []


def bash(snippet):
    result = subprocess.run(["bash", "-c", 'source "$1"\n' + snippet, "bash", BASH_SCRIPT],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        failures.append("bash snippet failed (%d): %s\n%s" % (result.returncode, snippet,
                                                              result.stderr))
    return result.stdout


def complete(*words):
    """What _kpipe offers for the last of words (the word being completed)."""
    array = " ".join("'%s'" % w for w in words)
    out = bash("COMP_WORDS=(%s); COMP_CWORD=%d; _kpipe; printf '%%s\\n' \"${COMPREPLY[@]}\""
               % (array, len(words) - 1))
    return [line for line in out.splitlines() if line]


def help_options(*args):
    return kpipe_help.help_options(KPIPE, *args) - {"-h", "--help"}


def expect(condition, message):
    if not condition:
        failures.append(message)


syntax = subprocess.run(["bash", "-n", BASH_SCRIPT], capture_output=True, text=True)
expect(syntax.returncode == 0, "bash -n: " + syntax.stderr)
expect("_kpipe" in bash("complete -p kpipe"), "sourcing does not register a completion for kpipe")

expect(complete("kpipe", "tr") == ["transform"], "kpipe tr -> %r" % complete("kpipe", "tr"))
expect(complete("kpipe", "") == SUBCOMMANDS or sorted(complete("kpipe", "")) == sorted(SUBCOMMANDS),
       "kpipe <TAB> -> %r" % complete("kpipe", ""))
expect(complete("kpipe", "-v", "re") == ["replay-dlq"], "global option before the subcommand")
expect(complete("kpipe", "transform", "--exa") == ["--exactly-once"],
       "kpipe transform --exa -> %r" % complete("kpipe", "transform", "--exa"))
expect("--log-format" in complete("kpipe", "consume", "--lo"), "global options after a subcommand")
expect(complete("kpipe", "--log-format", "j") == ["json"], "--log-format values")

global_options = help_options()
bash_globals = set(bash('echo $_kpipe_global_options').split()) - {"-h", "--help", "--version"}
expect(bash_globals == global_options - {"--version"},
       "global options: help has %s, bash script has %s"
       % (sorted(global_options - bash_globals), sorted(bash_globals - global_options)))
zsh_text = open(ZSH_SCRIPT).read()
for subcommand in SUBCOMMANDS:
    from_help = help_options(subcommand)
    listed = set(bash("_kpipe_options_for %s" % subcommand).split())
    expect(listed == from_help, "%s: only in --help %s, only in kpipe.bash %s"
           % (subcommand, sorted(from_help - listed), sorted(listed - from_help)))
    expect(subcommand in zsh_text, "_kpipe lacks the subcommand " + subcommand)
    for name in from_help | global_options:
        expect(re.search(r"[{'(,*]%s[\[,}' )]" % re.escape(name), zsh_text),
               "_kpipe lacks %s (%s)" % (name, subcommand))

zsh = shutil.which("zsh")
if zsh:
    result = subprocess.run([zsh, "-n", ZSH_SCRIPT], capture_output=True, text=True)
    expect(result.returncode == 0, "zsh -n: " + result.stderr)
else:
    print("zsh not installed: skipping zsh -n")

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
