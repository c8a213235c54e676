"""Where the project's own files are. The content folder can be moved with CONTENT_DIR; this
module only knows the default, so every reader derives it from one place."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = PROJECT_ROOT / "content"
