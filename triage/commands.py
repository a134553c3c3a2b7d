"""Registry of sub-commands: each part adds itself here with one line."""

from __future__ import annotations

import importlib

import typer

# (module, attribute, name); a module exposes a Typer app (sub-group) or a function.
_COMMANDS: list[tuple[str, str, str]] = [
    ("triage.serve", "serve", "serve"),
    ("triage.demo", "demo", "demo"),
    ("triage.analyze", "analyze", "analyze"),
    ("triage.compare", "compare", "compare"),
    ("triage.trace", "trace", "trace"),
    ("triage.dashboards", "app", "dashboards"),
]


def register(cli: typer.Typer) -> None:
    """Add each command whose module exists; missing parts are simply absent."""
    for module_name, attribute, name in _COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        target = getattr(module, attribute, None)
        if target is None:
            continue
        if isinstance(target, typer.Typer):
            cli.add_typer(target, name=name)
        else:
            cli.command(name=name)(target)
