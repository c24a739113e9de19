#!/usr/bin/env bash
# Offline install, proved: a fresh clone of this repository with only wheelhouse/ beside it installs and passes a
# quick test subset with the network cut. Not part of `make test` (it installs a whole environment per Python).
#
#   make wheelhouse                      # once, on a machine with internet
#   make offline-check                   # or: tests/offline_install_check.sh [PYTHON ...] [-- PYTEST_ARGS ...]
#   tests/offline_install_check.sh /usr/bin/python3.12 /usr/bin/python3.13 -- tests/test_pipeline.py
#
# Each PYTHON (default: python3) is put first on PATH as `python3`, as the Makefile calls it. The network is cut
# three ways: a network namespace with only loopback when `unshare -n` is allowed (root), uv and pip told to stay
# offline (UV_OFFLINE=1, PIP_NO_INDEX=1, no pip configuration file) and an unreachable proxy for anything else
# but loopback (the portal tests talk to a fake portal on 127.0.0.1).
# uv's and pip's caches are empty folders of the check, so nothing downloaded earlier helps.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -f "$ROOT/wheelhouse/README.txt" ]]; then
    echo "No wheelhouse/ in $ROOT: run 'make wheelhouse' first (on a machine with internet)." >&2
    exit 2
fi

pythons=()
while [[ $# -gt 0 && "$1" != "--" ]]; do pythons+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
[[ ${#pythons[@]} -eq 0 ]] && pythons=(python3)
tests=("$@")
[[ ${#tests[@]} -eq 0 ]] && tests=(tests/test_pipeline.py tests/test_tthc_ingest.py tests/test_deadlines.py
                                    tests/test_excel_intake.py tests/test_qd766_scoring.py)

work="$(mktemp -d "${TMPDIR:-/tmp}/cchc-offline.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet "$ROOT" "$work/repo"   # what is committed on the current branch, nothing else
git -C "$work/repo" checkout --quiet "$(git -C "$ROOT" rev-parse HEAD)"
# The bundle: hard links when on the same disk (no copy of half a gigabyte), else a copy.
cp -al "$ROOT/wheelhouse" "$work/repo/wheelhouse" 2>/dev/null || cp -r "$ROOT/wheelhouse" "$work/repo/wheelhouse"

isolate=()
if unshare -n true 2>/dev/null; then
    isolate=(unshare -n)
    cut="network namespace with loopback only + offline settings + dead proxy"
else
    cut="offline settings + dead proxy (no network namespace: unshare -n not allowed here)"
fi

status=0
for python in "${pythons[@]}"; do
    exe="$(command -v "$python" || true)"
    if [[ -z "$exe" ]] || ! version="$("$exe" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)"; then
        echo "== $python: not found, skipped" >&2; status=1; continue
    fi
    rm -rf "${work:?}/repo/.venv" "${work:?}/repo/.tools" "${work:?}/repo/data" "${work:?}/bin" "${work:?}/cache"
    mkdir -p "$work/bin" "$work/cache/uv" "$work/cache/pip"
    ln -s "$exe" "$work/bin/python3"
    echo "== Python $version ($exe): install from wheelhouse/, then ${#tests[@]} test files; $cut"
    start=$(date +%s)
    set +e
    # shellcheck disable=SC2016  # the inner script is expanded by the inner shell
    "${isolate[@]}" env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL \
        PATH="$work/bin:$PATH" UV_OFFLINE=1 PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null \
        UV_CACHE_DIR="$work/cache/uv" PIP_CACHE_DIR="$work/cache/pip" \
        http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
        HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
        no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1 \
        bash -c '
            set -euo pipefail
            ip link set lo up 2>/dev/null || true
            cd "$1"; shift
            t0=$(date +%s)
            make --no-print-directory .venv/.synced > install.log 2>&1 || { tail -n 30 install.log; exit 1; }
            echo "install: $(( $(date +%s) - t0 )) s, $(.tools/bin/uv pip list --python .venv/bin/python 2>/dev/null | tail -n +3 | wc -l) packages, $(.venv/bin/python --version)"
            t0=$(date +%s)
            DAGSTER_HOME="$PWD/data/dagster_home" PYTHONPATH="$PWD" DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false \
                .venv/bin/python -m pytest -p no:cacheprovider -o addopts="" -q "$@" 2>&1 | tail -n 3
            rc=${PIPESTATUS[0]}
            echo "tests: $(( $(date +%s) - t0 )) s"
            exit "$rc"
        ' check "$work/repo" "${tests[@]}"
    rc=$?
    set -e
    echo "== Python $version: $([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)") in $(( $(date +%s) - start )) s"
    [[ $rc -eq 0 ]] || status=1
done
exit $status
