"""Node-type declarations (filled by the graph-runtime work)."""
