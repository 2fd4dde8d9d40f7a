"""The code a service's functions run: ``shared/`` plus that one service, copied at synth, no Docker."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_NOT_CODE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def stage_service_code(service: str, destination: Path, repo_root: Path = REPO_ROOT) -> Path:
    """Copy ``shared/``, ``services/__init__.py`` and ``services/<service>/`` into ``destination``.

    The directory is rebuilt from scratch so a file deleted from the repository leaves the asset too.
    A service's Lambda therefore cannot import another service: it is not there.
    """
    service_dir = repo_root / "services" / service
    if not service_dir.is_dir():
        raise FileNotFoundError(f"no package for service {service!r} at {service_dir}")
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(repo_root / "shared", destination / "shared", ignore=_NOT_CODE)
    (destination / "services").mkdir()
    shutil.copy2(repo_root / "services" / "__init__.py", destination / "services" / "__init__.py")
    shutil.copytree(service_dir, destination / "services" / service, ignore=_NOT_CODE)
    return destination
