"""The one base class of mistakes a user can fix: a path, a file, an argument, a notebook.

The command line prints such an error as one line and exits with status 2; any other exception
is a bug in wganlab and keeps its traceback (``wganlab --debug`` shows the traceback of user
errors too).
"""


class UserError(Exception):
    """Something the user asked for cannot be done as asked; the message says what to change."""


class UsageError(UserError, ValueError):
    """A command-line value that does not parse or names nothing that exists."""


class DataError(UserError, ValueError):
    """A data file or argument is missing or malformed; the message says how to fix it."""
