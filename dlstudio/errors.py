"""The one error type every layer raises for bad user input."""

from __future__ import annotations


class ConfigError(ValueError):
    """Invalid user input: a config value, a file, a column.

    Holds one readable message per problem; each names the key or file and what was
    expected, so the CLI and the form can show all of them at once.
    """

    def __init__(self, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
