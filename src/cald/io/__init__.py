"""Readers and writers of instrument and table files (one module per format)."""
