"""The peer mocks, installed from the npm registry into ``bench/.peers/`` (gitignored) with the
machine's npm, and started on the same effective spec as ours."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import HOST, ROOT, SERVER_CPU, Server, free_port, pinned

PEERS_DIR = ROOT / "bench" / ".peers"
# Exact versions, so two runs measure the same peers (the npm registry's `latest` on 2026-11-25).
PACKAGES = {"@stoplight/prism-cli": "5.16.0", "@stdy/cli": "0.22.2"}


@dataclass(frozen=True)
class Peer:
    name: str
    version: str
    binary: Path

    def server(self, spec: Path, log_dir: Path) -> Server:
        port = free_port()
        if self.name == "Prism":
            command = [str(self.binary), "mock", "-h", HOST, "-p", str(port), str(spec)]
        else:
            command = [str(self.binary), "--host", HOST, "-p", str(port), "-q", str(spec)]
        return Server(self.name, pinned(command, SERVER_CPU), port, log_dir)


@dataclass
class PeerSetup:
    peers: list[Peer]
    problem: str = ""  # why no peer (or not every peer) is available
    command: str = ""


def install() -> PeerSetup:
    """Install (or reuse) the pinned peers; never raises: a failure is reported as ``problem``."""
    command = (
        "npm install --no-audit --no-fund --prefix bench/.peers (package.json pins "
        + ", ".join(f"{name}@{version}" for name, version in PACKAGES.items())
        + ")"
    )
    if shutil.which("npm") is None:
        return PeerSetup(
            [], "npm is not installed on this machine: Prism and Steady were not measured", command
        )
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    manifest = {"private": True, "dependencies": PACKAGES}
    package_json = PEERS_DIR / "package.json"
    wanted = json.dumps(manifest, indent=2) + "\n"
    if not package_json.exists() or package_json.read_text() != wanted or not _installed_versions_match():
        package_json.write_text(wanted)
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PEERS_DIR)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            return PeerSetup([], "npm install of the peers failed: " + " / ".join(tail), command)
    peers, missing = [], []
    for name, package, binary in (
        ("Prism", "@stoplight/prism-cli", "prism"),
        ("Steady", "@stdy/cli", "steady"),
    ):
        path = PEERS_DIR / "node_modules" / ".bin" / binary
        if path.exists():
            peers.append(Peer(name, _version(package), path))
        else:
            missing.append(name)
    problem = f"not installed: {', '.join(missing)}" if missing else ""
    return PeerSetup(peers, problem, command)


def _version(package: str) -> str:
    manifest = PEERS_DIR / "node_modules" / package / "package.json"
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def _installed_versions_match() -> bool:
    return all(_version(package) == version for package, version in PACKAGES.items())
