"""Default rule files, field mappings, translations and other shipped data."""

from importlib import resources as _res
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Return the filesystem path of a shipped resource file."""
    return Path(str(_res.files(__name__).joinpath(*parts)))
