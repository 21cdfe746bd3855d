"""Where a job's seller lives: one workspace, or an agency folder of seller workspaces.

An agency root holds one subfolder per seller, each a full workspace (its own config.toml with
its own credentials, inbox/outbox/archive on the share, ``[store] schema`` of its own on the
agency's one PostgreSQL database). A job carries the seller's folder *name*, never a path:
the share is mounted at different places on different machines. A single workspace is the
seller named "".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mallbatch.errors import ConfigError
from mallbatch.jobs.queue import database_url, same_database
from mallbatch.workspace import Workspace


@dataclass(frozen=True)
class Place:
    """The folder this process serves: ``root`` is a workspace, or an agency when ``agency``."""

    root: Path
    agency: bool = False

    def names(self) -> list[str]:
        """Every seller here (subfolders with a config.toml; hidden ones skipped); "" for a single workspace."""
        if not self.agency:
            return [""]
        try:
            folders = sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith((".", "~")))
        except OSError as exc:
            raise ConfigError(f"대행사 폴더 {self.root} 을(를) 읽지 못했습니다: {exc.strerror or exc}") from exc
        return [p.name for p in folders if (p / "config.toml").is_file()]

    def sellers(self) -> dict[str, Workspace]:
        return {name: self.workspace(name) for name in self.names()}

    def workspace(self, seller: str) -> Workspace:
        """The workspace of a job's seller; a ConfigError when this process does not serve it."""
        if not self.agency:
            if seller:
                raise ConfigError(f"판매자 '{seller}' 의 작업입니다. 이 작업자는 {self.root} 한 곳만 처리합니다 "
                                  "(대행사 폴더는 mallbatch worker --agency 폴더 로 실행하세요)")
            return Workspace.open(self.root)
        folder = self.root / seller
        if not seller or Path(seller).name != seller or seller.startswith(".") or not (folder / "config.toml").is_file():
            raise ConfigError(f"대행사 폴더 {self.root} 에 판매자 폴더 '{seller}' (config.toml 포함)가 없습니다. "
                              "이 컴퓨터에 공유 폴더가 연결되어 있는지 확인하세요")
        return Workspace.open(folder)

    def database(self, sellers: dict[str, Workspace] | None = None) -> str:
        """The one PostgreSQL database all sellers here use (the job queue lives there too)."""
        sellers = self.sellers() if sellers is None else sellers
        if not sellers:
            raise ConfigError(f"{self.root} 에 판매자 작업 폴더(config.toml 이 있는 하위 폴더)가 없습니다")
        urls = {name: database_url(ws) for name, ws in sellers.items()}
        embedded = sorted(name or str(self.root) for name, url in urls.items() if url is None)
        if embedded:
            raise ConfigError(f"작업자(worker)와 대기열은 PostgreSQL 저장소에서만 씁니다. 다음 작업 폴더의 config.toml 에 "
                              f"[store] url = \"postgresql://…\" 를 적어 주세요: {', '.join(embedded)}")
        return same_database({name: url for name, url in urls.items() if url})
