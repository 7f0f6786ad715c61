"""The export an import reads: refused up front when it cannot be one (a directory, a gzip
file), and a warning after an import that found nothing in it to import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from commands.errors import FAILED, USAGE, CliError
from orchestrator.report import ImportReport

GZIP_MAGIC = b"\x1f\x8b"
MODELS_NAMED = 5  # the models an empty import's warning names, of those it found


def check_source(src: Path, decrypt_with: Path | None) -> None:
    """Refuse, in one sentence, a SRC that is not a file, or a gzip file to be read as JSON."""
    if src.is_dir():
        raise CliError(f"{src}: is a directory; give the export file (a JSON file or an "
                       "encrypted tarball)", USAGE)
    if not src.is_file():
        raise CliError(f"{src}: no such file", USAGE)
    if decrypt_with is not None:
        return  # an encrypted export's own checks say what a gzip file is
    try:
        with src.open("rb") as f:
            head = f.read(len(GZIP_MAGIC))
    except OSError as exc:
        raise CliError(f"{src}: cannot read it ({exc.strerror})", USAGE) from exc
    if head == GZIP_MAGIC:
        raise CliError(f"{src}: is gzip-compressed; decompress it first (gunzip -k {src}) "
                       "and import the file inside", FAILED)


def nothing_imported(report: ImportReport) -> str | None:
    """A warning when the export held no record this import could take, saying why: an
    import that wrote nothing must not look like one that did."""
    if any(counts.in_file for counts in report.models.values()):
        return None
    reasons = [f"{total} record(s) {why} ({_names(found)})"
               for found, why in ((report.out_of_scope, f"outside the {report.scope} scope"),
                                  (report.unknown_models, "of models this version does not "
                                                          "import"))
               if (total := sum(found.values()) + getattr(found, "others", 0))]
    if not reasons:
        return "warning: nothing was imported: the export holds no records"
    hint = "; import it in the scope it was exported in" if report.out_of_scope else ""
    return "warning: nothing was imported: the export has " + " and ".join(reasons) + hint


def _names(found: Mapping[str, int]) -> str:
    names = sorted(found)
    more = len(names) - MODELS_NAMED
    return ", ".join(names[:MODELS_NAMED]) + (f" and {more} more" if more > 0 else "")
