"""Hatchling build hook: puts the CLI bundle (apps/cli, built by npm) into hsm's wheel and sdist.

The wheel gets it as the package data `hsm/_bundle/{bin,dist}/…` (same file rule as
scripts/package/bundle-files.mjs). A clone without a built bundle — or with one older than its sources — gets it
built first with `npm ci` (only when node_modules is missing: it needs the npm registry) and `npm run build:cli`;
without npm on PATH the build stops with a message that says what to do. An editable install
(`uv tool install -e ./`) packages nothing: its launcher runs the clone's apps/cli directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = ["apps/cli/src", "apps/cli/bin", "apps/cli/build.mjs", "apps/cli/package.json", "libs/core/src", "libs/host/src", "registry-seed", "scripts/build-catalog.mjs", "scripts/build-schemas.mjs"]


def bundle_files(cli: Path) -> list[str]:
    dist = cli / "dist"
    files = ["bin/hsm.js", "dist/catalog.json"]
    files += sorted(f"dist/{p.name}" for p in dist.iterdir() if p.is_file() and p.name.endswith(".js"))
    files += sorted(f"dist/schemas/{p.name}" for p in (dist / "schemas").iterdir() if p.name.endswith(".json"))
    return files


def newest_source(root: Path) -> float:
    newest = 0.0
    for rel in SOURCES:
        p = root / rel
        if p.is_file():
            newest = max(newest, p.stat().st_mtime)
        elif p.is_dir():
            for dirpath, _dirs, names in os.walk(p):
                for n in names:
                    newest = max(newest, os.stat(os.path.join(dirpath, n)).st_mtime)
    return newest


def ensure_bundle(root: Path) -> None:
    main = root / "apps" / "cli" / "dist" / "main.js"
    built = main.exists() and (root / "apps" / "cli" / "dist" / "catalog.json").exists()
    if built and main.stat().st_mtime >= newest_source(root):
        return
    npm = shutil.which("npm")
    why = "is not built" if not built else "is older than its sources"
    if npm is None:
        raise RuntimeError(
            f"hsm: the CLI bundle (apps/cli/dist) {why}, and building it needs npm (Node.js >= 20), which is not on PATH.\n"
            "Install Node.js >= 20 and run `npm ci && npm run build` in the clone, then install again;\n"
            "or install a built wheel instead: `uv tool install hsm-<version>-py3-none-any.whl` (`npm run pack:python` makes one)."
        )
    if not (root / "apps" / "cli" / "build.mjs").exists():
        raise RuntimeError("hsm: this source tree has no CLI bundle and no CLI sources to build it from")
    if not (root / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=root, check=True)
    subprocess.run([npm, "run", "build:cli"], cwd=root, check=True)


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        cli = root / "apps" / "cli"
        ensure_bundle(root)
        if self.target_name == "wheel" and version == "editable":
            return
        into = "hsm/_bundle" if self.target_name == "wheel" else "apps/cli"
        for rel in bundle_files(cli):
            build_data["force_include"][str(cli / rel)] = f"{into}/{rel}"
