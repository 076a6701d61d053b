"""NMR processing: FIDs to spectra, echo trains, DNP enhancements, pseudo-2D series."""
