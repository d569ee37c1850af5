"""The host's files, by the operator's policy: which directories tools may read uploads from and save downloads to.

mcp-atlassian had two advisories here (GHSA-g5r6-gv6m-f5jv: an upload read any file the server could, reachable by
prompt injection through an issue's text; GHSA-xjgw-4wvw-rgm4: a download wrote outside its directory). So:
- Over HTTP no tool touches the host's files unless the operator names directories (ATLASSIAN_MCP_UPLOAD_DIRS,
  ATLASSIAN_MCP_DOWNLOAD_DIR); over stdio uploads default to the working directory, and the variable narrows it.
- A path is resolved (symlinks, `..`) and must land inside an allowed directory; below it no hidden name (`.ssh`,
  `.env`, `.git`) and only regular files (no /proc, devices, FIFOs, sockets). The file is then opened one component
  at a time from the allowed directory with O_NOFOLLOW, and checked with fstat, so a symlink swapped in after the
  check cannot redirect the open; the size limit applies before a byte is read.
- A download is written only into the download directory, under the file's own base name, never over an existing
  file (`name (2).ext` instead), and the result says where it went.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a file to upload larger than this is refused before it is read
SYSTEM_TREES = ("/proc", "/sys", "/dev")  # never read or written, whatever the operator allowed
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class FileRefused(Exception):
    """The policy refuses this path; the message says why and what to do instead."""


@dataclass(frozen=True)
class FilePolicy:
    """Directories (resolved, absolute) the tools may read uploads from, and the one they may save downloads to."""

    upload_dirs: tuple[Path, ...] = ()
    download_dir: Path | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES

    def read(self, path: str) -> tuple[str, bytes]:
        """(base name, bytes) of a file inside an upload directory; FileRefused otherwise."""
        if not self.upload_dirs:
            raise FileRefused("this server reads no local files (the operator set no ATLASSIAN_MCP_UPLOAD_DIRS); "
                              "send content_base64 instead")  # fmt: skip
        given = Path(os.path.expanduser(path))
        root, inside = self._locate(given)
        fd = _open_below(root, inside, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
        info = os.fstat(fd)
        refusal = (f"{path} is not a regular file" if not stat.S_ISREG(info.st_mode) else
                   f"{path} is {info.st_size} bytes, over the {self.max_upload_bytes}-byte limit"
                   if info.st_size > self.max_upload_bytes else None)  # fmt: skip
        if refusal:
            os.close(fd)
            raise FileRefused(refusal)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(self.max_upload_bytes + 1)
        if len(data) > self.max_upload_bytes:  # it grew while we read it
            raise FileRefused(f"{path} is over the {self.max_upload_bytes}-byte limit")
        return inside[-1], data

    def _locate(self, given: Path) -> tuple[Path, tuple[str, ...]]:
        """The allowed directory a path resolves into, and the resolved components below it."""
        candidates = [given] if given.is_absolute() else [root / given for root in self.upload_dirs]
        for candidate in candidates:
            resolved = Path(os.path.realpath(candidate))
            if any(resolved == Path(t) or resolved.is_relative_to(t) for t in SYSTEM_TREES):
                raise FileRefused(f"{given} is a system file ({resolved}); it is never read")
            for root in self.upload_dirs:
                if resolved != root and resolved.is_relative_to(root):
                    inside = resolved.relative_to(root).parts
                    hidden = next((part for part in inside if part.startswith(".")), None)
                    if hidden is not None:
                        raise FileRefused(f"{given} is inside a hidden directory or is a hidden file ({hidden}); "
                                          "hidden names are never read unless the operator allows their directory "
                                          "by name")  # fmt: skip
                    return root, inside
        allowed = ", ".join(map(str, self.upload_dirs))
        raise FileRefused(f"{given} is outside the directories this server may read ({allowed}); "
                          "send content_base64 instead")  # fmt: skip

    def save(self, filename: str, data: bytes) -> Path:
        """Write a downloaded file into the download directory under a fresh name; return where it went."""
        if self.download_dir is None:
            raise FileRefused("no ATLASSIAN_MCP_DOWNLOAD_DIR")
        name = _safe_name(filename)
        stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        directory = os.open(self.download_dir, _DIR_FLAGS)
        try:
            for n in range(1, 1000):
                candidate = name if n == 1 else f"{stem} ({n}){dot}{suffix}"
                try:
                    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=directory)
                except FileExistsError:
                    continue
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                return self.download_dir / candidate
        finally:
            os.close(directory)
        raise FileRefused(f"{name}: 999 files of that name already in {self.download_dir}")


def _safe_name(filename: str) -> str:
    """The base name of a name the site gave (it may hold `../`, `/`, `\\`, control characters), never hidden."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".").strip()
    return base or "attachment"


def _open_below(root: Path, parts: tuple[str, ...], flags: int) -> int:
    """Open root/parts[0]/.../parts[-1] one component at a time, following no symlink on the way."""
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return os.open(parts[-1], flags, dir_fd=fd)
    except OSError as exc:
        raise FileRefused(f"{root.joinpath(*parts)}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def policy_from(upload_dirs: str | None, download_dir: str | None, *, transport: str) -> FilePolicy:
    """The policy from the two variables; stdio may read the working directory when no upload directory is named
    (`none` names none).

    Raises ValueError naming the variable when a directory does not exist.
    """
    if upload_dirs is not None and upload_dirs.strip().lower() == "none":
        roots: tuple[Path, ...] = ()
    elif upload_dirs is None:
        roots = (Path.cwd().resolve(),) if transport == "stdio" else ()
    else:
        names = [n.strip() for n in upload_dirs.replace(os.pathsep, ",").split(",") if n.strip()]
        roots = tuple(_directory("ATLASSIAN_MCP_UPLOAD_DIRS", n) for n in names)
    saved = _directory("ATLASSIAN_MCP_DOWNLOAD_DIR", download_dir) if download_dir else None
    return FilePolicy(roots, saved)


def _directory(variable: str, name: str) -> Path:
    path = Path(os.path.realpath(os.path.expanduser(name)))
    if not path.is_dir():
        raise ValueError(f"{variable}: {name} is not a directory")
    if any(path == Path(t) or path.is_relative_to(t) for t in SYSTEM_TREES):
        raise ValueError(f"{variable}: {name} is a system directory")
    return path
