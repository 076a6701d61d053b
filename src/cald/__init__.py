"""cald: from raw spectra to a surface-chemistry mechanism for c-ALD core-shell nanoparticles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cald")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "load_results", "read"]


def __getattr__(name: str) -> object:
    """``cald.read`` (:func:`cald.nmr.reading.read`) and ``cald.load_results``
    (:func:`cald.project.results.load_results`), imported on first use (keeps ``import cald``
    light for the command line)."""
    if name == "read":
        from cald.nmr.reading import read

        return read
    if name == "load_results":
        from cald.project.results import load_results

        return load_results
    raise AttributeError(f"module 'cald' has no attribute {name!r}")
