"""Surface chemistry of the nanocrystals: XPS and FTIR."""
