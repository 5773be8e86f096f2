"""torch.utils-style helpers: ``engine.utils.data`` (Dataset, TensorDataset, DataLoader)."""
from . import data  # noqa: F401
