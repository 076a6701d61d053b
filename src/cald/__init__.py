"""cald: from raw spectra to a surface-chemistry mechanism for c-ALD core-shell nanoparticles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cald")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
