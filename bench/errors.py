"""Bad input from the user: one line on stderr and exit code 2, never a traceback."""


class UsageError(Exception):
    """A wrong option, value, path or file: the message is the one line the user sees."""
