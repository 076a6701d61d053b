"""Surface chemistry of the nanocrystals: XPS line shapes (:mod:`cald.surface.lineshapes`),
backgrounds (:mod:`cald.surface.backgrounds`) and region fits (:mod:`cald.surface.xps`), and FTIR of
the carboxylate ligands (:mod:`cald.surface.ftir`), as pure computation on arrays; readers live in
:mod:`cald.io`."""
