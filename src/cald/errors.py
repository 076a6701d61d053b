"""Errors raised for bad input.

Every problem a user can fix (a missing column, a value out of range, an unknown isotope) is an
:class:`InputError`. The command line turns it into one line on stderr starting with ``error:``
and exit status 2; the library lets it propagate so scripts can catch it.
"""

from __future__ import annotations

from os import PathLike


class InputError(ValueError):
    """A problem with user input that the user can fix.

    Parameters
    ----------
    message
        What is wrong and what form is expected.
    source
        The file (or option) the problem was found in; prefixed to the message.
    """

    def __init__(self, message: str, source: str | PathLike[str] | None = None) -> None:
        self.source = None if source is None else str(source)
        self.detail = message
        super().__init__(message if source is None else f"{source}: {message}")


class DataFileError(InputError):
    """A data file is missing, unreadable or does not have the expected content."""


class ParameterError(InputError):
    """A parameter (option, keyword argument) has a value outside its allowed range or form."""


class FieldError(ParameterError):
    """A parameter named by its field (``times_s``, or an options model's ``t_ms``) whose value
    does not fit the data; callers that know how the user spelled the field may rename it.

    Parameters
    ----------
    field
        The field's name.
    message
        What is wrong.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message, field)
