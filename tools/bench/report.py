"""How `relocate bench run` prints its figures (the `--json` output holds the same and more)."""

from __future__ import annotations

from typing import Any

# Who used the machine's CPU during an import; "machine" is every core's busy time.
CPU_USERS = ("orchestrator", "control", "region", "postgresql_and_other", "machine")


def batches(size: int | None) -> str:
    """How a run's batches are named in the report."""
    return "default batches" if size is None else f"batch {size}"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f} MB"


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _describe_code(code: dict[str, Any]) -> str:
    if not code.get("commit"):
        return "a snapshot of the packages taken at the start (no git commit found)"
    changes = " plus uncommitted changes" if code.get("uncommitted_changes") else ""
    return f"commit {code['commit'][:12]}{changes}, snapshot taken at the start"


def _row(title: str, figures: dict[str, Any]) -> str:
    rss = figures["peak_rss_bytes"]
    return (f"{title:<28} {_num(figures['wall_seconds'], 1):>8} "
            f"{_num(figures['records_per_s']):>10} {_mb(rss['orchestrator']):>13} "
            f"{_mb(rss['control']):>9} {_mb(rss['region']):>9}")


def _heading(report: dict[str, Any]) -> list[str]:
    cfg, export = report["config"], report["export"]
    pg, machine = report["postgresql"], report["machine"]
    return [
        f"relocate bench: {export['records']:,} records ({export['organizations']:,} "
        f"organizations, {export['users']:,} users, {export['shared_users']:,} in 2+ "
        f"organizations), seed {cfg['seed']}, {cfg['scope']} scope",
        f"median of {cfg['runs']} run(s); PostgreSQL {pg['server_version']} ({pg['url']}); "
        f"{machine['cpus']} CPUs, load average {machine['load_average'][0]:.1f} at the end",
        f"code: {_describe_code(report.get('code') or {})}",
        "",
        f"{'':<28} {'wall s':>8} {'records/s':>10} {'orchestrator':>13} {'control':>9} "
        f"{'region':>9}",
    ]


def _against_copy(report: dict[str, Any]) -> list[str]:
    """The imports' rows, COPY's, and how they compare."""
    main, copy, ref = report["import"], report["copy"], report.get("reference")
    lines = [_row(f"import ({batches(main['batch_size'])})", main)]
    if ref:
        lines.append(_row(f"import ({batches(ref['batch_size'])}, Sentry's)", ref))
    lines.append(f"{'COPY FROM (same rows)':<28} {_num(copy['seconds'], 2):>8} "
                 f"{_num(copy['records_per_s']):>10}   ({copy['rows']:,} rows)")
    by_run = ", ".join(f"{r:.2f}" for r in report["speed_vs_copy_by_run"])
    lines.append(f"import speed / COPY speed: {report['speed_vs_copy']:.2f}x, median of each "
                 f"import against the COPY run right after it ({by_run})")
    lines.append(f"import / COPY: {report['import_over_copy']:.1f}x slower"
                 + (f"; {batches(ref['batch_size'])} / {batches(main['batch_size'])}: "
                    f"{report['reference_over_import']:.1f}x slower" if ref else ""))
    cpu, cpus = main["cpu_seconds"], report["machine"]["cpus"] or 1
    lines.append(f"CPU seconds during the import ({batches(main['batch_size'])}): "
                 + ", ".join(f"{p.replace('_', ' ')} {_num(cpu.get(p), 1)}" for p in CPU_USERS)
                 + f" (of {_num(main['wall_seconds'] * cpus, 1)} available)")
    return lines


def _per_model(main: dict[str, Any]) -> list[str]:
    title = f"per model ({batches(main['batch_size'])}), import order"
    lines = [f"{title:<34} {'records':>9} {'seconds':>8} {'records/s':>10}"]
    for model, figures in main["models"].items():
        lines.append(f"{model:<34} {_num(figures['records']):>9} "
                     f"{_num(figures['seconds'], 2):>8} {_num(figures['records_per_s']):>10}")
    lines.append(f"(seconds from each model's start to its end; models may overlap; the "
                 f"orchestrator reported {_num(main['reported_seconds'], 1)}s of the "
                 f"{_num(main['wall_seconds'], 1)}s wall time)")
    return lines


def _verification(report: dict[str, Any]) -> list[str]:
    runs = report["runs"]["import"] + report["runs"]["reference"]
    if not report["verified"]:
        unbalanced = ["  the import's report: its books do not balance"
                      for run in runs if not run["balanced"]]
        return ["VERIFICATION FAILED:"] + [f"  {p}" for run in runs
                                           for p in run["verification"]["problems"]] + unbalanced
    checks = runs[0]["verification"]["foreign_keys_checked"] if runs else 0
    return [f"verified after every import: row counts of {len(report['export']['counts'])} "
            f"generated models match, {checks} foreign keys checked, none dangling; every "
            "record accounted for in the import's report"]


def format_report(report: dict[str, Any]) -> str:
    """The report as `relocate bench run` prints it."""
    lines = [*_heading(report), *_against_copy(report), "",
             "peak RSS is VmHWM of each process; records/s counts every record of the export",
             "", *_per_model(report["import"]), "", *_verification(report)]
    return "\n".join(lines)
