"""`recbot completion bash|zsh|fish`: a completion script for subcommands and their options,
read from the parser itself, so it names exactly what `recbot --help` does."""

from __future__ import annotations

import argparse
import importlib
import sys

SHELLS = ("bash", "zsh", "fish")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.epilog = (
        'bash: eval "$(recbot completion bash)" · zsh: eval "$(recbot completion zsh)" · '
        "fish: recbot completion fish | source"
    )


def options_of() -> dict[str, list[str]]:
    """Subcommand -> its long and short options, from each command's own `configure`."""
    from bot.cli import SUBCOMMANDS

    found: dict[str, list[str]] = {}
    for name in SUBCOMMANDS:
        parser = argparse.ArgumentParser(prog=f"recbot {name}")
        importlib.import_module(f"bot.commands.{name}").configure(parser)
        found[name] = sorted(
            {option for action in parser._actions for option in action.option_strings}
        )
    return found


def _bash(options: dict[str, list[str]]) -> str:
    cases = "\n".join(
        f'        {name}) opts="{" ".join(opts)}" ;;' for name, opts in options.items()
    )
    return f"""# recbot bash completion: eval "$(recbot completion bash)"
_recbot() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" sub="${{COMP_WORDS[1]}}" opts
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "{" ".join(options)} --help --version" -- "$cur"))
        return
    fi
    case "$sub" in
{cases}
        *) opts="" ;;
    esac
    if [[ "$sub" == completion ]]; then opts="$opts {" ".join(SHELLS)}"; fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
complete -F _recbot recbot
"""


def _zsh(options: dict[str, list[str]]) -> str:
    cases = "\n".join(
        f"        {name}) compadd -- {' '.join(opts)} ;;" for name, opts in options.items()
    )
    return f"""#compdef recbot
# recbot zsh completion: eval "$(recbot completion zsh)"
_recbot() {{
    if (( CURRENT == 2 )); then
        compadd -- {" ".join(options)} --help --version
        return
    fi
    case "$words[2]" in
{cases}
    esac
    [[ "$words[2]" == completion ]] && compadd -- {" ".join(SHELLS)}
}}
compdef _recbot recbot
"""


def _fish(options: dict[str, list[str]]) -> str:
    lines = [
        "# recbot fish completion: recbot completion fish | source",
        "complete -c recbot -f",
    ]
    for name in options:
        lines.append(f"complete -c recbot -n __fish_use_subcommand -a {name}")
    for name, opts in options.items():
        for opt in opts:
            if opt.startswith("--"):
                lines.append(
                    f"complete -c recbot -n '__fish_seen_subcommand_from {name}' -l {opt[2:]}"
                )
    lines.append(
        f"complete -c recbot -n '__fish_seen_subcommand_from completion' -a '{' '.join(SHELLS)}'"
    )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    render = {"bash": _bash, "zsh": _zsh, "fish": _fish}[args.shell]
    sys.stdout.write(render(options_of()))
    return 0
