"""hsm (Hyper Stack Manager) as a Python tool: the `hsm` command runs the CLI bundle with Node.js (_launcher.py)."""
