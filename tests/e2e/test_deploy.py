"""What can be checked of deploy/ without a Docker daemon or Helm: the image's recipe and the chart's settings.

The Dockerfile's build steps (its COPY lines and `uv sync --frozen --no-dev --no-editable`) are replayed in a
temporary directory, and the installed `atlassian-mcp` runs with the image's ENV against the sandbox: /healthz
answers and an MCP client lists and calls tools. The Helm values' `env` must be settings the server accepts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from mcp import Client

from adapter.config import load_settings
from tests.e2e.test_transports import free_port
from tests.sandbox_server import LoopbackSandbox

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    final_stage = text.rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in final_stage.splitlines():
        if line.startswith("ENV "):
            env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return env


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory laid out as the build stage's /app, with the image's virtual environment installed."""
    app = tmp_path_factory.mktemp("image-app")
    copies = re.findall(r"^COPY (?!--from)(.+) (\S+)$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    assert copies, "no COPY lines found"
    for sources, _target in copies:
        for source in sources.split():
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, app / source, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
            else:
                shutil.copy2(path, app / source)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(app / ".venv")}
    subprocess.run(["uv", "sync", "--frozen", "--no-dev", "--no-editable", "--python", "3.11", "-q"], cwd=app,
                   env=env, check=True)  # fmt: skip
    return app


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter") as running:
        yield running


async def test_the_image_recipe_installs_a_working_server(image: Path, site: LoopbackSandbox) -> None:
    port = free_port()
    env = {**dockerfile_env(), "PORT": str(port), "HOST": "127.0.0.1", **site.env()}
    env["ALLOW_GLOBAL_CRED_FALLBACK"] = "true"  # as `docker run -e` gives it in deploy/README.md
    env["PATH"] = env["PATH"].replace("/app/.venv", str(image / ".venv")) + ":" + os.environ["PATH"]
    assert env["TRANSPORT"] == "streamable-http" and env["STATELESS"] == "true"
    process = subprocess.Popen(["atlassian-mcp"], env=env, cwd=image, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(process.stderr.read() if process.stderr else "no answer")
        async with Client(f"http://127.0.0.1:{port}/mcp", mode="legacy") as client:
            assert "jira_get_issue" in [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
            assert not result.is_error, result.content
    finally:
        process.terminate()
        process.wait(timeout=10)
    installed = image / ".venv" / "lib" / "python3.11" / "site-packages"
    assert not list(installed.glob("pytest*")) and not list(installed.glob("ruff*"))  # no dev tools in the image


def test_helm_values_are_settings_the_server_accepts() -> None:
    chart = yaml.safe_load((DEPLOY / "helm" / "atlassian-mcp" / "Chart.yaml").read_text())
    values = yaml.safe_load((DEPLOY / "helm" / "atlassian-mcp" / "values.yaml").read_text())
    assert chart["name"] == "atlassian-mcp" and values["replicaCount"] > 1
    env = {k: str(v) for k, v in values["env"].items()}
    secrets = {name: "x" if "TOKEN" in name else "you@example.com" for name in values["secretEnv"]}
    settings = load_settings({}, environ={**env, **secrets}, read_dotenv=False)
    assert settings.transport == "streamable-http" and settings.stateless and settings.host == "0.0.0.0"
    assert settings.jira is not None and settings.confluence is not None
    template = (DEPLOY / "helm" / "atlassian-mcp" / "templates" / "deployment.yaml").read_text()
    assert "/healthz" in template and "secretKeyRef" in template
