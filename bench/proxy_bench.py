#!/usr/bin/env python3
"""Hot-path benchmark: strata vs docker-registry in proxy mode vs nginx serving the same bytes.

Prints, from one run on this machine:
  - hot manifest by digest, wrk -c32: strata / docker-registry-proxy and strata / nginx;
  - hot 256 MiB blob, 8 parallel clients: strata / nginx throughput;
  - strata's peak RSS while serving those blobs.
Targets (issue "proxy core"): >= 30x registry proxy, >= 0.7x nginx, >= 0.9x nginx, < 100 MiB.
"""
import argparse
import hashlib
import os
import sys

from bench_common import static_nginx, RssSampler, http, wrk

from harness import OCI_MANIFEST, Registry, Strata, TempDir, push_image, sha256


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--blob-mib", type=int, default=256)
    args = parser.parse_args()

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
        nginx = static_nginx(d, static).start()

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

        print("hot manifest by digest, wrk -c32 -t2, %ds each" % args.seconds)
        manifest_rps = {}
        for name, url in manifest_urls.items():
            rps, _, p99 = wrk(url, 32, args.seconds, [accept], threads=2)
            manifest_rps[name] = rps
            print("  %-22s %10.0f req/s   p99 %s" % (name, rps, p99))
        print("  strata / docker-registry proxy: %6.1fx  (target >= 30x)" %
              (manifest_rps["strata"] / manifest_rps["docker-registry proxy"]))
        print("  strata / nginx:                 %6.2fx  (target >= 0.7x)" % (manifest_rps["strata"] / manifest_rps["nginx"]))

        print("hot %d MiB blob, 8 parallel clients, %ds each" % (args.blob_mib, args.seconds))
        blob_bps = {}
        for name, url in blob_urls.items():
            if name == "strata":
                with RssSampler(strata.proc.pid) as rss:
                    _, bps, _ = wrk(url, 8, args.seconds, threads=2)
                strata_rss = rss.peak_mib
            else:
                _, bps, _ = wrk(url, 8, args.seconds, threads=2)
            blob_bps[name] = bps
            print("  %-22s %10.0f MiB/s" % (name, bps / 2 ** 20))
        print("  strata / nginx:                 %6.2fx  (target >= 0.9x)" % (blob_bps["strata"] / blob_bps["nginx"]))
        print("  strata peak RSS while serving:  %6.1f MiB (target < 100 MiB)" % strata_rss)

        nginx.stop()
        registry_proxy.stop()
        strata.stop()
        upstream.stop()


if __name__ == "__main__":
    sys.exit(main())
