"""I/O: the I/O-free request core (``core``), its httpx drivers (``client``) and their errors."""
