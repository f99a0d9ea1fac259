"""`flask backup create|verify|restore`: consistent, compressed backups with a manifest."""

from __future__ import annotations

from pathlib import Path

import click

from ..domain.backup_manifest import BACKEND_LABELS, Check
from ..domain.units import human_bytes
from ..models import utcnow
from ..services import backup as backup_service
from .common import ServiceGroup, fail

backup_cli = ServiceGroup("backup", help="备份：创建、校验、恢复数据库备份")

_ARCHIVE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _echo_checks(checks: tuple[Check, ...]) -> None:
    for check in checks:
        click.echo(f"{'✓' if check.ok else '✗'} {check.text}")


@backup_cli.command("create", help="创建压缩备份，附清单（数据库版本、各表行数、时间）；应用运行时也可执行")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="备份文件的路径，或写入的已有目录（默认为 BACKUP_DIR，即 instance/backups）")
def backup_create(output: Path | None) -> None:
    """Back up the configured database into one .tar.gz with its manifest."""
    created = backup_service.create_backup(output, utcnow())
    manifest = created.manifest
    click.echo(f"已创建备份：{created.path}")
    click.echo(f"{BACKEND_LABELS[manifest.backend]}，数据库版本 {manifest.alembic_revision or '未知'}，"
               f"{len(manifest.tables)} 张表共 {manifest.total_rows} 行，"
               f"数据 {human_bytes(manifest.data_size)}，压缩后 {human_bytes(created.path.stat().st_size)}")


@backup_cli.command("verify", help="校验备份：清单、数据文件的大小与 SHA-256、各表行数（SQLite 另查完整性）")
@click.argument("path", type=_ARCHIVE)
def backup_verify(path: Path) -> None:
    """Check an archive against its manifest; exit 1 on any mismatch."""
    verification = backup_service.verify_backup(path)
    _echo_checks(verification.checks)
    if not verification.ok:
        fail(f"备份 {path.name} 未通过校验")
    click.echo(f"校验通过：{path}")


@backup_cli.command("restore", help="把备份恢复到当前配置的数据库（须为空库，已有数据时须加 --force）；请先停止应用服务")
@click.argument("path", type=_ARCHIVE)
@click.option("--force", is_flag=True, help="当前数据库已有数据时仍然恢复：用备份整体替换现有数据")
def backup_restore(path: Path, force: bool) -> None:
    """Restore a verified archive into the configured database."""
    restored = backup_service.restore_backup(path, force)
    manifest = restored.manifest
    click.echo(f"已恢复 {path.name}（{BACKEND_LABELS[manifest.backend]}，备份于 {manifest.created_at}，"
               f"数据库版本 {manifest.alembic_revision or '未知'}）")
    if restored.replaced:
        click.echo(f"原有数据已被替换（此前 {len(restored.replaced)} 张表有数据）")
    filled = {name: rows for name, rows in sorted(restored.counts.items()) if rows}
    width = max((len(name) for name in filled), default=0)
    for name, rows in filled.items():
        click.echo(f"  {name.ljust(width)}  {rows} 行")
    if len(filled) < len(restored.counts):
        click.echo(f"  其余 {len(restored.counts) - len(filled)} 张表为空")
    _echo_checks(restored.checks)
    if not all(check.ok for check in restored.checks):
        fail("恢复后的行数与清单不符")
    if restored.upgrade_note:
        click.echo(f"注意：{restored.upgrade_note}")
    # Statistics totals are tables like any other, restored with the data; only process caches go stale.
    click.echo("统计累计数据已随备份一并恢复；请重启各应用服务，清空进程内的缓存")
