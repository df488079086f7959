"""Start ``python app.py`` on a free loopback port for the API and browser tests.

>>> port = free_port()
>>> 1024 < port < 65536
True
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Seconds the app may take to answer its first HTTP request (it starts in a few on an idle machine).
START_TIMEOUT_S = 120.0


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float) -> None:
    """Terminate a server started by a test; kill it if it has not exited within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_app(index_dir: Path, log_path: Path, **env: str) -> Iterator[tuple[str, float]]:
    """Run the app over ``index_dir``; yields its URL and how many seconds it took to come up.

    The app's output goes to ``log_path`` (shown when it fails to start). It is stopped at the end.
    """
    port = free_port()
    environment = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "RAG_INDEX_DIR": str(index_dir),
        **env,
    }
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited with code {process.returncode}:\n{log_path.read_text()}")
                if time.perf_counter() - started > START_TIMEOUT_S:
                    raise RuntimeError(f"the app did not answer within {START_TIMEOUT_S} s:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.25)
            yield url, time.perf_counter() - started
        finally:
            stop(process, timeout=15)
