"""The drawn graph: document, node registry, file format, validation and compile."""
from .document import Edge, Graph, GraphEvent, ModuleDef, Node, PortRef  # noqa: F401
