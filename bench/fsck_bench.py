#!/usr/bin/env python3
"""strata fsck's verification rate against the disk's sequential read rate (dd), in one run.

Builds a store of --blobs random blobs of --blob-mib MiB each (the start-up reconciliation of
a strata run adopts them into the index) and a reference file of the same total size, then,
with the page cache dropped before each, times `dd` over the store's own blob files (one dd
per file, what fsck has to read), `dd` over the one big reference file, and `strata fsck`.
Target (issue "a cache that stays within its disk"): fsck >= 0.8x dd. Also printed: the
SHA-256 ceiling of this machine (openssl speed x cores), which bounds any verifier. Dropping
the page cache needs root; without it everything reads from memory.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import time

import bench_common  # noqa: F401 (puts tests/integration on the path)
from harness import STRATA, Strata, TempDir

MIB = 2 ** 20


def drop_caches():
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def sha256_ceiling():
    """openssl's single-core SHA-256 rate on 1 MiB buffers, times the cores."""
    out = subprocess.run(["openssl", "speed", "-seconds", "1", "-bytes", str(MIB), "-evp", "sha256"],
                         capture_output=True, text=True).stdout
    kbytes = float(re.search(r"^sha256\s+([\d.]+)k", out, re.M).group(1))
    return kbytes * 1000 * os.cpu_count()


def build_store(data_dir, blobs, blob_mib):
    total = 0
    for i in range(blobs):
        data = os.urandom(blob_mib * MIB)
        hexdigest = hashlib.sha256(data).hexdigest()
        path = os.path.join(data_dir, "blobs", "sha256", hexdigest[:2], hexdigest)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blobs", type=int, default=48)
    parser.add_argument("--blob-mib", type=int, default=32)
    parser.add_argument("--dir", default=None, help="where to build the store (default: a temp dir)")
    args = parser.parse_args()
    with TempDir() as d:
        workdir = args.dir or d
        data_dir = os.path.join(workdir, "fsck-store")
        total = build_store(data_dir, args.blobs, args.blob_mib)
        strata = Strata(workdir, {}, data_dir=data_dir).start()  # adopts the files into the index
        strata.stop()
        reference = os.path.join(workdir, "dd-reference.bin")
        with open(reference, "wb") as f:
            for _ in range(total // MIB):
                f.write(os.urandom(MIB))
        blob_paths = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(data_dir, "blobs"))
                      for name in names]
        cold = drop_caches()
        start = time.monotonic()
        for path in blob_paths:
            subprocess.run(["dd", "if=" + path, "of=/dev/null", "bs=1M"], check=True, capture_output=True)
        dd_files_rate = total / (time.monotonic() - start)
        drop_caches()
        start = time.monotonic()
        subprocess.run(["dd", "if=" + reference, "of=/dev/null", "bs=1M"], check=True, capture_output=True)
        dd_rate = total / (time.monotonic() - start)
        drop_caches()
        start = time.monotonic()
        run = subprocess.run([STRATA, "fsck", "--data-dir", data_dir], capture_output=True, text=True)
        fsck_rate = total / (time.monotonic() - start)
        assert run.returncode == 0 and "store is sound" in run.stdout, run.stdout + run.stderr
        checked = re.search(r"blobs checked: (\d+)", run.stdout).group(1)
        print("store: %s blobs, %.0f MiB%s" % (checked, total / MIB, "" if cold else " (page cache NOT dropped)"))
        print("  dd over the blob files     %8.0f MiB/s" % (dd_files_rate / MIB))
        print("  dd over one big file       %8.0f MiB/s" % (dd_rate / MIB))
        print("  strata fsck                %8.0f MiB/s" % (fsck_rate / MIB))
        print("  SHA-256 ceiling            %8.0f MiB/s (%d cores)" % (sha256_ceiling() / MIB, os.cpu_count()))
        print("  fsck / dd over the blob files: %.2f (target >= 0.8)" % (fsck_rate / dd_files_rate))
        print("  fsck / dd over one big file:   %.2f" % (fsck_rate / dd_rate))


if __name__ == "__main__":
    sys.exit(main())
