"""Generators of realistic synthetic data in real file formats, for the demo and the tests.

Everything written here is labelled synthetic in its file header.
"""
