"""Surface chemistry: XPS line shapes (:mod:`cald.surface.lineshapes`), backgrounds
(:mod:`cald.surface.backgrounds`) and region fits (:mod:`cald.surface.xps`), as pure computation on
arrays; readers live in :mod:`cald.io`."""
