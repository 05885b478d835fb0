"""Workstation settings: declared once, typed, stored as JSON in the platform config folder.

These are per-machine preferences (language, data folder, scanner timing). Entity-wide rules
live in the database (``archive.domain.parameters``). Each stored file carries a
``schema_version``; :data:`UPGRADES` turn an old file into the current shape step by step, so a
newer Legajo never misreads an older file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from archive.i18n import LANGUAGES

APP_DIR = "legajo"
SCHEMA_VERSION = 2


@dataclass
class Settings:
    language: str = "es"
    data_dir: str = ""
    last_username: str = ""
    wedge_enabled: bool = True
    wedge_max_gap_ms: int = 30
    wedge_min_length: int = 4
    wedge_prefix: str = ""
    wedge_suffix: str = "\r\n"
    window_geometry: str = ""

    def effective_data_dir(self, override: str | None = None) -> Path:
        """``--data-dir`` > ``LEGAJO_DATA_DIR`` > the stored choice > the platform data folder."""
        chosen = override or os.environ.get("LEGAJO_DATA_DIR") or self.data_dir
        path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_DIR, appauthor=False))
        path.mkdir(parents=True, exist_ok=True)
        return path


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 stored the language as "es-CO"/"en-US"; v2 stores the bare language code.
    lang = data.get("language")
    if isinstance(lang, str):
        data["language"] = lang.split("-")[0].split("_")[0].lower()
    return data


#: version N -> function upgrading a dict of version N to version N+1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def config_dir() -> Path:
    return Path(os.environ.get("LEGAJO_CONFIG_DIR") or platformdirs.user_config_dir(APP_DIR, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read settings, upgrading old files; a missing or unreadable file gives defaults."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    version = int(data.pop("schema_version", 1))
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version += 1
    known = {f.name: f.type for f in fields(Settings)}
    defaults = Settings()
    clean = {}
    for k, v in data.items():
        if k in known and isinstance(v, type(getattr(defaults, k))):
            clean[k] = v
    settings = Settings(**clean)
    if settings.language not in LANGUAGES:
        settings.language = Settings.language
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically (temp file + rename)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"schema_version": SCHEMA_VERSION, **asdict(settings)}, ensure_ascii=False, indent=2),
        "utf-8",
    )
    tmp.replace(path)
