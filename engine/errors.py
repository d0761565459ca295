"""The one error type users catch: every mistake a user can fix derives from ``WargameError``.

A bad scenario (``ScenarioError``, one line per problem), a bad sweep specification,
a results file that is not one, missing validation data, an exercise that cannot be
played: each message names the file, the key path, the bad value and what is
expected. The CLI prints the message on one line and exits 2.
"""


class WargameError(Exception):
    """A mistake in the input that the user can fix; the message says what and how."""
