"""Peak memory and time of encrypting, then verifying + decrypting + parsing, a large export.

Why: the encrypted-export reader claims constant memory (two streaming passes, never the whole
token or plaintext in memory). This measures it on the code path the importer uses
(`orchestrator.crypto.open_export`, then ijson over the plaintext to the end), each phase in its
own child process whose peak RSS is sampled from its VmHWM (wait4's ru_maxrss would start
from this process's own peak: see tools/bench/processes.reap), and repeats the read on a small
export so the two peaks can be compared.

    .venv/bin/python benchmarks/crypto_memory.py --size 1G [--dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
SMALL = 1 << 20


def parse_size(text: str) -> int:
    unit = UNITS.get(text[-1:].lower())
    return int(float(text[:-1]) * unit) if unit else int(float(text))


def write_plain_export(path: Path, size: int) -> int:
    """A JSON array of small sentry.option records, at least `size` bytes; returns the count."""
    template = ('{"model": "sentry.option", "pk": %d, "fields": {"key": "bench.option.%d", '
                '"last_updated": "2023-06-27T21:40:01.305Z", "last_updated_by": "unknown", '
                '"value": %d}}')
    written, pk = 2, 0
    with path.open("w", encoding="ascii", buffering=1 << 20) as out:
        out.write("[\n")
        while written < size:
            batch = []
            for _ in range(10_000):
                pk += 1
                batch.append(template % (pk, pk, pk))
            text = (",\n" if pk > 10_000 else "") + ",\n".join(batch)
            out.write(text)
            written += len(text)
        out.write("\n]\n")
    return pk


def child(phase: str, args: list[str]) -> None:
    """Runs in the measured process: one phase, its own timing on stdout."""
    import ijson

    from orchestrator.crypto import open_export, write_encrypted_tarball

    started = time.monotonic()
    if phase == "encrypt":
        src, public, dest = (Path(a) for a in args)
        with src.open("rb") as plain, dest.open("wb") as out:
            write_encrypted_tarball(plain, os.fstat(plain.fileno()).st_size,
                                    public.read_bytes(), out)
        print(f"encrypt {time.monotonic() - started:.2f}")
        return
    tarball, private = (Path(a) for a in args)
    records = 0
    with open_export(tarball, private) as stream:
        verified = time.monotonic()
        for _ in ijson.items(stream, "item", use_float=True):  # as orchestrator.source does
            records += 1
    print(f"verify {verified - started:.2f} decrypt+parse {time.monotonic() - verified:.2f} "
          f"records {records}")


def measure(phase: str, *args: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in bytes, the child's own report) of one phase in a child."""
    from tools.bench.processes import PeakSampler, reap

    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, __file__, "--child", phase, *map(str, args)],
                            stdout=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    assert proc.stdout is not None
    report = proc.stdout.read().strip()
    reap(proc)
    peak = sampler.stop()
    if proc.returncode:
        raise SystemExit(f"{phase} failed with exit code {proc.returncode}")
    return time.monotonic() - started, peak, report


def mib(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=1 << 30,
                        help="plain export size, e.g. 1G, 300M (default 1G)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the files")
    parser.add_argument("--keep", action="store_true", help="keep the files afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return 0

    from orchestrator.crypto import generate_keypair

    workdir = Path(tempfile.mkdtemp(prefix="relocate-crypto-bench-", dir=args.dir))
    free = shutil.disk_usage(workdir).free
    needed = int(args.size * 2.5) + 4 * SMALL  # plain + base64 token (4/3) + the small pair
    if free < needed:
        workdir.rmdir()
        raise SystemExit(f"{mib(free)} free in {workdir.parent}, {mib(needed)} needed")
    try:
        private, public = workdir / "key.pem", workdir / "key.pub"
        private_pem, public_pem = generate_keypair(4096)
        private.write_bytes(private_pem)
        public.write_bytes(public_pem)
        print(f"free disk {mib(free)} in {workdir}")
        rows = []
        for label, size in (("small", SMALL), ("large", args.size)):
            plain, tarball = workdir / f"{label}.json", workdir / f"{label}.tar"
            started = time.monotonic()
            count = write_plain_export(plain, size)
            print(f"{label}: wrote {plain.stat().st_size:,} bytes ({count:,} records) in "
                  f"{time.monotonic() - started:.1f}s", flush=True)
            enc_s, enc_rss, _ = measure("encrypt", plain, public, tarball)
            dec_s, dec_rss, report = measure("decrypt", tarball, private)
            rows.append((label, plain.stat().st_size, tarball.stat().st_size, enc_s, enc_rss,
                         dec_s, dec_rss, report))
            plain.unlink()
        print()
        print(f"{'export':<6} {'plain bytes':>15} {'tarball bytes':>15} {'encrypt s':>10} "
              f"{'peak RSS':>12} {'verify+decrypt+parse s':>23} {'peak RSS':>12}  child report")
        for label, plain_size, tar_size, enc_s, enc_rss, dec_s, dec_rss, report in rows:
            print(f"{label:<6} {plain_size:>15,} {tar_size:>15,} {enc_s:>10.1f} "
                  f"{mib(enc_rss):>12} {dec_s:>23.1f} {mib(dec_rss):>12}  {report}")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
