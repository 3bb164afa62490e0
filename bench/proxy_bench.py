#!/usr/bin/env python3
"""Hot-path benchmark: strata vs docker-registry in proxy mode vs nginx serving the same bytes.

Prints, from one run on this machine, with the access log on for strata and nginx (both
buffered: strata's blocks, nginx's `buffer=64k flush=1s`) and strata's event log on:
  - hot manifest by digest, wrk -c32, --rounds runs of each server in turn (the best of each, so
    the machine's noise hits all alike): strata / docker-registry-proxy and strata / nginx req/s,
    and strata's p99 latency / nginx's;
  - hot 256 MiB blob, 8 parallel clients: strata / nginx (sendfile) throughput;
  - strata's peak RSS while serving those blobs.
Targets: >= 30x registry proxy, >= 0.9x nginx req/s, p99 <= 2x nginx's, blob >= 1.0x nginx,
RSS < 64 MiB.

wrk and the servers run on CPUs of their own (bench_common.CpuSplit; on 2 CPUs, one each), each
server with its default thread count for the CPUs it has (strata's network threads, nginx's
`worker_processes`); --shared-cpus runs everything on every CPU instead.
"""
import argparse
import hashlib
import os
import sys

import re

from bench_common import CpuSplit, static_nginx, RssSampler, http, wrk

from harness import OCI_MANIFEST, Registry, Strata, TempDir, push_image, sha256


def milliseconds(text):
    """wrk's latency text ("812.00us", "1.20ms", "2.01s") in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="manifest runs of each server, taken in turn")
    parser.add_argument("--blob-mib", type=int, default=256)
    parser.add_argument("--shared-cpus", action="store_true", help="wrk and the servers on every CPU (noisier p99)")
    args = parser.parse_args()
    cpus = CpuSplit(pin=not args.shared_cpus).apply()

    with TempDir() as d:
        upstream = Registry(d).start()
        blob = hashlib.shake_256(b"strata-bench").digest(args.blob_mib << 20)
        image = push_image(upstream, "bench/app", "v1", [blob])
        blob_digest = sha256(blob)
        strata = Strata(d, {"upstream.test": upstream.url}, extra_args=["--log-level", "info"]).start()
        registry_proxy = Registry(d, proxy_remote=upstream.url).start()

        static = os.path.join(d, "static")
        os.makedirs(static)
        os.chmod(d, 0o755)  # nginx workers run as www-data
        with open(os.path.join(static, "manifest"), "wb") as f:
            f.write(image.manifest)
        with open(os.path.join(static, "blob"), "wb") as f:
            f.write(blob)
        nginx = static_nginx(d, static, access_log=True, workers=len(cpus.server_cpus)).start()

        accept = "Accept: " + OCI_MANIFEST
        manifest_urls = {
            "strata": "%s/v2/upstream.test/bench/app/manifests/%s" % (strata.url, image.digest),
            "docker-registry proxy": "%s/v2/bench/app/manifests/%s" % (registry_proxy.url, image.digest),
            "nginx": nginx.url + "/manifest",
        }
        blob_urls = {
            "strata": "%s/v2/upstream.test/bench/app/blobs/%s" % (strata.url, blob_digest),
            "nginx": nginx.url + "/blob",
        }
        for url in list(manifest_urls.values()) + list(blob_urls.values()):  # warm every cache
            r = http("GET", url, headers={"Accept": OCI_MANIFEST})
            assert r.status == 200, (url, r.status)
        http("GET", "%s/v2/bench/app/blobs/%s" % (registry_proxy.url, blob_digest))

        print(cpus.describe())
        print("hot manifest by digest, wrk -c32, %d rounds of %ds taken in turn, best of each" %
              (args.rounds, args.seconds))
        manifest_rps, manifest_p99, all_p99 = {}, {}, {}
        for _ in range(args.rounds):  # in turn, so the machine's noise hits every server alike
            for name, url in manifest_urls.items():
                rps, _, p99 = wrk(url, 32, args.seconds, [accept], threads=cpus.wrk_threads, cpus=cpus.load_cpus)
                manifest_rps[name] = max(manifest_rps.get(name, 0), rps)
                manifest_p99[name] = min(manifest_p99.get(name, float("inf")), milliseconds(p99))
                all_p99.setdefault(name, []).append(milliseconds(p99))
        for name in manifest_urls:
            print("  %-22s %10.0f req/s   p99 %.2f ms  (rounds: %s)" % (
                name, manifest_rps[name], manifest_p99[name], " ".join("%.2f" % p for p in all_p99[name])))
        print("  strata / docker-registry proxy: %6.1fx  (target >= 30x)" %
              (manifest_rps["strata"] / manifest_rps["docker-registry proxy"]))
        print("  strata / nginx:                 %6.2fx  (target >= 0.9x)" % (manifest_rps["strata"] / manifest_rps["nginx"]))
        print("  p99 strata / nginx:             %6.2fx  (target <= 2x)" % (manifest_p99["strata"] / manifest_p99["nginx"]))

        print("hot %d MiB blob, 8 parallel clients, %d rounds of %ds taken in turn, best of each" %
              (args.blob_mib, args.rounds, args.seconds))
        blob_bps, strata_rss = {}, 0.0
        for _ in range(args.rounds):
            for name, url in blob_urls.items():
                with RssSampler(strata.proc.pid) as rss:
                    _, bps, _ = wrk(url, 8, args.seconds, threads=cpus.wrk_threads, cpus=cpus.load_cpus)
                if name == "strata":
                    strata_rss = max(strata_rss, rss.peak_mib)
                blob_bps[name] = max(blob_bps.get(name, 0), bps)
        for name in blob_urls:
            print("  %-22s %10.0f MiB/s" % (name, blob_bps[name] / 2 ** 20))
        print("  strata / nginx:                 %6.2fx  (target >= 1.0x)" % (blob_bps["strata"] / blob_bps["nginx"]))
        print("  strata peak RSS while serving:  %6.1f MiB (target < 64 MiB)" % strata_rss)

        nginx.stop()
        registry_proxy.stop()
        strata.stop()
        upstream.stop()


if __name__ == "__main__":
    sys.exit(main())
