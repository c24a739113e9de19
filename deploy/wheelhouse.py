"""Offline install bundle: every file ``uv.lock`` names for this platform and Python 3.11–3.13, in one folder.

Run by ``make wheelhouse`` on a machine that reaches PyPI; copy the project folder with ``wheelhouse/`` to a server
without internet, and ``make run`` / ``make test`` install from it (see the Makefile and the README's
"Installing and operating on a server").

The files are the lock's own: the same URLs, checked against the same sha256, so an offline install is the same
set of packages as an online one. Which packages a Python needs is read from the lock's dependency graph with its
markers evaluated for that Python and platform; a package without a wheel for a target is taken as its source
archive (``odfpy``), with the build backend (``setuptools``) so that uv can build it offline.

    python deploy/wheelhouse.py --out wheelhouse --python 3.11 3.12 3.13 [--platform manylinux_2_28_x86_64]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import ssl
import subprocess
import sys
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

try:
    from packaging import tags
    from packaging.markers import Marker
    from packaging.utils import parse_wheel_filename
except ImportError:  # .tools/bin/python: a bare venv, whose pip carries its own copy
    from pip._vendor.packaging import tags
    from pip._vendor.packaging.markers import Marker
    from pip._vendor.packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
# Build requirements of source-only packages (setuptools' legacy backend, which uv falls back to for an sdist
# without pyproject.toml): fetched as wheels so that the offline install can build them.
BUILD_REQUIREMENTS = ["setuptools", "wheel"]


@dataclass(frozen=True)
class Target:
    python: tuple[int, int]
    platforms: tuple[str, ...]  # platform tags, best first
    environment: dict[str, str]  # marker environment

    @property
    def label(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}-{self.platforms[0]}"

    def accepted_tags(self) -> list[tags.Tag]:
        """The wheel tags an installer of this Python accepts on these platforms, best first."""
        interpreter = f"cp{self.python[0]}{self.python[1]}"
        return [
            *tags.cpython_tags(self.python, platforms=self.platforms),
            *tags.compatible_tags(self.python, interpreter=interpreter, platforms=self.platforms),
        ]


def manylinux_platforms(tag: str) -> tuple[str, ...]:
    """``manylinux_2_28_x86_64`` → every manylinux tag a glibc 2.28 machine accepts, newest first."""
    m = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", tag)
    if not m:
        return (tag,)
    glibc, arch = int(m.group(1)), m.group(2)
    out = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc, 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    for minor, name in legacy.items():
        if glibc >= minor and (minor != 17 or arch in {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}):
            out.append(f"{name}_{arch}")
    return tuple(out)


def marker_environment(python: tuple[int, int], platform_tag: str) -> dict[str, str]:
    version = f"{python[0]}.{python[1]}"
    if platform_tag.startswith("win"):
        system, sys_platform, os_name = "Windows", "win32", "nt"
        machine = "ARM64" if "arm64" in platform_tag else "AMD64"
    elif platform_tag.startswith("macosx"):
        system, sys_platform, os_name = "Darwin", "darwin", "posix"
        machine = "arm64" if platform_tag.endswith("arm64") else "x86_64"
    else:
        system, sys_platform, os_name = "Linux", "linux", "posix"
        machine = platform_tag.split("_", 3)[-1] if platform_tag.startswith("manylinux_") else platform.machine()
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": os_name,
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": sys_platform,
    }


PORTABLE_GLIBC = 28  # manylinux_2_28: Debian 10+, Ubuntu 18.10+, RHEL 8+; every locked package has such a wheel


def default_platform() -> str | None:
    """On Linux with glibc 2.28 or newer: manylinux_2_28 of this machine's architecture, so that a bundle built on a
    recent workstation also installs on an older server (and still here). Elsewhere: None (this machine's tags)."""
    if not sys.platform.startswith("linux"):
        return None
    libc, version = platform.libc_ver()
    try:
        minor = int(version.split(".")[1]) if libc == "glibc" and version.startswith("2.") else -1
    except (IndexError, ValueError):
        minor = -1
    return f"manylinux_2_{PORTABLE_GLIBC}_{platform.machine()}" if minor >= PORTABLE_GLIBC else None


def targets(pythons: list[str], platform_tag: str | None) -> list[Target]:
    platform_tag = platform_tag or default_platform()
    if platform_tag:
        platforms = manylinux_platforms(platform_tag)
    else:  # this machine's own, as pip and uv see it (manylinux tags up to its glibc, musllinux, macOS, Windows)
        platforms = tuple(t for t in tags.platform_tags() if not t.startswith("linux_"))
    out = []
    for text in pythons:
        major, minor = (int(x) for x in text.split("."))
        out.append(Target((major, minor), platforms, marker_environment((major, minor), platforms[0])))
    return out


def needed_packages(lock: dict, target: Target) -> dict[str, dict]:
    """The lock's packages that the project (with its dev group) needs on ``target``."""
    packages = {p["name"]: p for p in lock["package"]}
    root = next(p for p in lock["package"] if "virtual" in p.get("source", {}) or "editable" in p.get("source", {}))
    needed: dict[str, dict] = {}
    todo = list(root.get("dependencies", [])) + [d for g in root.get("dev-dependencies", {}).values() for d in g]
    seen_extras: set[tuple[str, str]] = set()
    while todo:
        dep = todo.pop()
        if "marker" in dep and not Marker(dep["marker"]).evaluate(dict(target.environment)):
            continue
        package = packages[dep["name"]]
        extras = [e for e in dep.get("extra", []) if (dep["name"], e) not in seen_extras]
        for extra in extras:
            seen_extras.add((dep["name"], extra))
            todo.extend(package.get("optional-dependencies", {}).get(extra, []))
        if dep["name"] not in needed:
            needed[dep["name"]] = package
            todo.extend(package.get("dependencies", []))
    return needed


def choose_file(package: dict, target: Target) -> dict:
    """The wheel the installer would pick on ``target`` (the lock's, best tag first), else the source archive."""
    rank: dict[tags.Tag, int] = {}
    for i, tag in enumerate(target.accepted_tags()):
        rank.setdefault(tag, i)
    best, best_rank = None, len(rank)
    for wheel in package.get("wheels", []):
        name = wheel["url"].rsplit("/", 1)[1]
        for tag in parse_wheel_filename(name)[3]:
            if tag in rank and rank[tag] < best_rank:
                best, best_rank = wheel, rank[tag]
    if best is not None:
        return best
    if "sdist" in package:
        return package["sdist"]
    raise SystemExit(f"{package['name']} {package['version']}: no file in uv.lock for {target.label}")


def ssl_context() -> ssl.SSLContext:
    cafile = os.environ.get("SSL_CERT_FILE") or os.environ.get("PIP_CERT") or os.environ.get("REQUESTS_CA_BUNDLE")
    return ssl.create_default_context(cafile=cafile if cafile and Path(cafile).is_file() else None)


def download(file: dict, out: Path, context: ssl.SSLContext) -> tuple[Path, bool]:
    name = file["url"].rsplit("/", 1)[1]
    algorithm, expected = file["hash"].split(":", 1)
    path = out / name
    if path.exists() and hashlib.new(algorithm, path.read_bytes()).hexdigest() == expected:
        return path, False
    tmp = path.with_suffix(path.suffix + ".part")
    with urllib.request.urlopen(file["url"], context=context, timeout=120) as answer, tmp.open("wb") as sink:
        shutil.copyfileobj(answer, sink, 1 << 20)
    actual = hashlib.new(algorithm, tmp.read_bytes()).hexdigest()
    if actual != expected:
        tmp.unlink()
        raise SystemExit(f"{name}: {algorithm} {actual} is not the lock's {expected}")
    tmp.replace(path)
    return path, True


def pip_download(out: Path, requirements: list[str], target: Target | None) -> None:
    """Wheels outside the lock (uv itself, the build backend) with pip, binary only."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--no-deps", "-d", str(out)]
    if target is not None:
        command += ["--python-version", f"{target.python[0]}.{target.python[1]}", "--implementation", "cp"]
        for tag in target.platforms:
            command += ["--platform", tag]
    subprocess.run([*command, *requirements], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "uv.lock")
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse")
    parser.add_argument("--python", nargs="+", default=["3.11", "3.12", "3.13"])
    parser.add_argument(
        "--platform",
        help="platform tag of the server: manylinux_2_17_x86_64 (older glibc), win_amd64, "
        "… (default: manylinux_2_28 of this machine's architecture on Linux, else this machine's own)",
    )
    parser.add_argument("--uv-version", required=True, help="the uv the Makefile bootstraps (UV_VERSION)")
    args = parser.parse_args()

    lock = tomllib.loads(args.lock.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    context = ssl_context()
    wanted: dict[str, dict] = {}
    sdists: list[str] = []
    for target in targets(args.python, args.platform):
        needed = needed_packages(lock, target)
        for name, package in sorted(needed.items()):
            file = choose_file(package, target)
            wanted[file["url"].rsplit("/", 1)[1]] = file
            if file is package.get("sdist"):
                sdists.append(f"{name} {package['version']}")
        print(f"{target.label}: {len(needed)} packages")

    outside_lock = ("uv-", *(f"{r}-" for r in BUILD_REQUIREMENTS))
    for path in args.out.iterdir():  # fetched anew below (pip's cache keeps them), for this platform only
        if path.name.startswith(outside_lock):
            path.unlink()
    fetched = 0
    for _name, file in sorted(wanted.items()):
        fetched += download(file, args.out, context)[1]
    # uv itself, for `pip install uv==…` in .tools/ (one wheel per platform: it runs on any Python)
    pip_download(args.out, [f"uv=={args.uv_version}"], targets(args.python[:1], args.platform)[0])
    if sdists:  # the build backend (pure-Python wheels), so that uv can build them without the network
        pip_download(args.out, BUILD_REQUIREMENTS, None)
    stale = [
        p for p in args.out.iterdir() if p.is_file() and p.name not in wanted and not p.name.startswith((*outside_lock, "README"))
    ]
    for path in stale:  # left from an older lock
        path.unlink()
    (args.out / "README.txt").write_text(
        "Offline install bundle of cchc-thainguyen, written by `make wheelhouse` (deploy/wheelhouse.py).\n"
        f"Python {', '.join(args.python)}; platform {targets(args.python[:1], args.platform)[0].platforms[0]}; "
        f"uv {args.uv_version}.\nWith this folder beside the Makefile, `make run` and `make test` install from it "
        "with no network.\n",
        encoding="utf-8",
    )
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(
        f"{args.out}: {sum(1 for _ in args.out.glob('*.*'))} files, {size / 2**20:.0f} MiB "
        f"({fetched} downloaded, {len(stale)} stale removed)"
        + (f"; built offline from source: {', '.join(sorted(set(sdists)))}" if sdists else "")
    )


if __name__ == "__main__":
    sys.exit(main())
