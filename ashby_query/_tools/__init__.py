"""Tools around the library: the command line (``cli``), agent helpers (``agent``), sample data."""
