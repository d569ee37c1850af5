"""The host-file policy (adapter/files.py): each refused case, the race it closes, and where downloads go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapter.config import ConfigError, load_settings
from adapter.files import FilePolicy, FileRefused, policy_from


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home with secrets beside a working directory: what a prompt-injected path would aim at."""
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text("PRIVATE KEY")
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "spec.md").write_text("# spec")
    (work / ".env").write_text("JIRA_API_TOKEN=secret")
    (work / ".git").mkdir()
    (work / ".git" / "config").write_text("[core]")
    (work / "key-link").symlink_to(tmp_path / ".ssh" / "id_rsa")
    (work / "environ-link").symlink_to("/proc/self/environ")
    (work / "inside-link").symlink_to(work / "docs" / "spec.md")
    os.mkfifo(work / "pipe")
    return tmp_path


def policy(home: Path, **kw: object) -> FilePolicy:
    return FilePolicy((home / "work",), **kw)  # type: ignore[arg-type]


def test_reads_a_file_inside_the_directory(home: Path) -> None:
    assert policy(home).read("docs/spec.md") == ("spec.md", b"# spec")
    assert policy(home).read(str(home / "work" / "docs" / "spec.md")) == ("spec.md", b"# spec")
    assert policy(home).read("inside-link") == ("spec.md", b"# spec")  # a symlink that stays inside is resolved


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../.ssh/id_rsa", "outside the directories"),
        ("docs/../../.ssh/id_rsa", "outside the directories"),
        ("~/.ssh/id_rsa", "outside the directories"),
        ("/etc/passwd", "outside the directories"),
        ("key-link", "outside the directories"),  # a symlink out is judged by where it lands
        ("/proc/self/environ", "system file"),
        ("environ-link", "system file"),
        ("/dev/zero", "system file"),
        ("/sys/kernel/notes", "system file"),
        (".env", "hidden"),
        (".git/config", "hidden"),
        ("pipe", "not a regular file"),  # opening a FIFO must not hang: O_NONBLOCK, then fstat
        ("docs", "not a regular file"),
        (".", "outside the directories"),  # the directory itself is no file
        ("missing.txt", "No such file"),
    ],
)
def test_refused(home: Path, path: str, reason: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(FileRefused, match=reason):
        policy(home).read(path)


def test_a_directory_below_is_not_a_file(home: Path) -> None:
    with pytest.raises(FileRefused, match="Not a directory|not a regular file|Is a directory"):
        policy(home).read("docs/spec.md/x")
    (home / "work" / "docs" / "sub").mkdir()
    with pytest.raises(FileRefused, match="not a regular file"):
        policy(home).read("docs/sub")


def test_hidden_directory_named_by_the_operator_is_allowed(home: Path) -> None:
    allowed = FilePolicy((home / ".ssh",))
    assert allowed.read("id_rsa") == ("id_rsa", b"PRIVATE KEY")  # the operator asked for exactly this


def test_size_limit_applies_before_reading(home: Path) -> None:
    (home / "work" / "big.bin").write_bytes(b"x" * 101)
    with pytest.raises(FileRefused, match="101 bytes, over the 100-byte limit"):
        policy(home, max_upload_bytes=100).read("big.bin")
    assert policy(home, max_upload_bytes=101).read("big.bin")[1] == b"x" * 101


def test_no_directories_reads_nothing(home: Path) -> None:
    with pytest.raises(FileRefused, match="reads no local files"):
        FilePolicy().read(str(home / "work" / "docs" / "spec.md"))


def test_a_symlink_swapped_in_after_the_check_is_not_followed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check resolves spec.md; before the open, an attacker replaces it with a link to the key."""
    target = home / "work" / "docs" / "spec.md"
    checked = FilePolicy._locate

    def then_swap(self: FilePolicy, given: Path) -> tuple[Path, tuple[str, ...]]:
        located = checked(self, given)
        target.unlink()
        target.symlink_to(home / ".ssh" / "id_rsa")
        return located

    monkeypatch.setattr(FilePolicy, "_locate", then_swap)
    with pytest.raises(FileRefused, match="Too many levels of symbolic links|symbolic"):
        policy(home).read("docs/spec.md")


def test_a_directory_swapped_for_a_symlink_is_not_followed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = home / "work" / "docs"
    checked = FilePolicy._locate

    def then_swap(self: FilePolicy, given: Path) -> tuple[Path, tuple[str, ...]]:
        located = checked(self, given)
        docs.rename(home / "work" / "old-docs")
        (home / "elsewhere").mkdir()
        (home / "elsewhere" / "spec.md").write_text("not yours")
        docs.symlink_to(home / "elsewhere")
        return located

    monkeypatch.setattr(FilePolicy, "_locate", then_swap)
    with pytest.raises(FileRefused):
        policy(home).read("docs/spec.md")


def test_downloads_stay_in_their_directory_and_never_overwrite(tmp_path: Path) -> None:
    saved = FilePolicy(download_dir=tmp_path)
    first = saved.save("report.pdf", b"1")
    second = saved.save("report.pdf", b"2")
    assert (first.name, second.name) == ("report.pdf", "report (2).pdf")
    assert first.read_bytes() == b"1" and second.read_bytes() == b"2"
    for hostile in ("../../escape.txt", "/etc/cron.d/x", "..\\..\\win.txt", ".bashrc", "a/../../b", "..", ""):
        where = saved.save(hostile, b"x")
        assert where.parent == tmp_path and not where.name.startswith("."), (hostile, where)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_a_planted_symlink_in_the_download_directory_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "notes.txt").symlink_to(victim)
    where = FilePolicy(download_dir=tmp_path / "dl").save("notes.txt", b"overwritten?")
    assert where.name == "notes (2).txt" and victim.read_text() == "keep me"


def test_policy_defaults_per_transport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert policy_from(None, None, transport="stdio").upload_dirs == (tmp_path.resolve(),)
    assert policy_from(None, None, transport="streamable-http").upload_dirs == ()
    assert policy_from(None, None, transport="sse").upload_dirs == ()
    assert policy_from("none", None, transport="stdio").upload_dirs == ()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    both = policy_from(f"a,{tmp_path / 'b'}", "a", transport="streamable-http")
    assert both.upload_dirs == (tmp_path / "a", tmp_path / "b") and both.download_dir == tmp_path / "a"


def test_settings_name_the_variable_of_a_bad_directory(tmp_path: Path) -> None:
    env = {"TRANSPORT": "streamable-http"}
    assert load_settings({}, environ=env, read_dotenv=False).files == FilePolicy()
    with pytest.raises(ConfigError, match="ATLASSIAN_MCP_UPLOAD_DIRS: .*missing is not a directory"):
        load_settings({}, environ=env | {"ATLASSIAN_MCP_UPLOAD_DIRS": str(tmp_path / "missing")}, read_dotenv=False)
    with pytest.raises(ConfigError, match="ATLASSIAN_MCP_DOWNLOAD_DIR: /proc is a system directory"):
        load_settings({}, environ=env | {"ATLASSIAN_MCP_DOWNLOAD_DIR": "/proc"}, read_dotenv=False)
