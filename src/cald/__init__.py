"""cald: from raw spectra to a surface-chemistry mechanism for c-ALD core-shell nanoparticles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cald")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "read"]


def __getattr__(name: str) -> object:
    """``cald.read``: :func:`cald.nmr.reading.read`, imported on first use (keeps ``import cald``
    light for the command line)."""
    if name == "read":
        from cald.nmr.reading import read

        return read
    raise AttributeError(f"module 'cald' has no attribute {name!r}")
