"""``cald init``: from a folder of raw data to a drafted, commented project.toml.

:mod:`~cald.project.init.walk` walks the tree, :mod:`~cald.project.init.recognise` says what each
data set is from its headers, :mod:`~cald.project.init.samples` which sample it belongs to,
:mod:`~cald.project.init.single` and :mod:`~cald.project.init.propose` which analyses with which
parameters, and :mod:`~cald.project.init.draft` assembles the project file and its JSON.
"""

from cald.project.init.draft import Draft, NothingFound, draft_project

__all__ = ["Draft", "NothingFound", "draft_project"]
