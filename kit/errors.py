"""The one root of the kit's own errors: the ``kit`` command catches :class:`KitError` once.

Every error the kit raises on purpose (a bad file, a bad setting, a refused request) is a
``KitError`` that says what is wrong and what to do; anything else is a bug.

Example
-------
>>> from kit.config import ConfigError
>>> issubclass(ConfigError, KitError)
True
"""

from __future__ import annotations

__all__ = ["KitError"]


class KitError(ValueError):
    """A problem the user can act on: its message names the file, place, value and the fix."""
