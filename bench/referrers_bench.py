#!/usr/bin/env python3
"""Referrers served from cache, against hot manifests served from memory by the same strata.

One run, everything on 127.0.0.1: an image and two artifacts that refer to it (a signature with
an artifactType, an SBOM typed by its config) in strata_fault_upstream; strata pulls the image's
manifest by digest and its referrers once, then wrk (32 connections, --seconds each, alternating
--rounds times) asks for:
  - the image manifest by digest (the hot path);
  - the referrers index of the image (cached, unfiltered);
  - the referrers index filtered by ?artifactType= (rendered per request).
Printed: requests/s of each and their ratio to the hot manifest's.
Target: cached referrers >= 0.8x hot manifest requests/s.
"""
import argparse
import json
import sys

from bench_common import CpuSplit, wrk

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, Strata, TempDir, http, sha256

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SIG_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json"


def artifact(config, subject, image, **extra):
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": extra.pop("config_type", "application/vnd.oci.image.config.v1+json"),
                      "digest": config, "size": 2},
           "layers": [], "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": len(image)}}
    doc.update(extra)
    return json.dumps(doc).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared-cpus", action="store_true", help="wrk and strata share every CPU")
    args = parser.parse_args()
    cpus = CpuSplit(pin=not args.shared_cpus).apply()
    print("referrers bench: %s" % cpus.describe())
    with TempDir() as d:
        up = FaultUpstream(d).start()
        config = up.add_blob(b"{}")
        image = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                       "digest": config, "size": 2}, "layers": []}).encode()
        subject = up.add_manifest("team/app", "v1", image)
        for body in (artifact(config, subject, image, artifactType=SIG_TYPE),
                     artifact(config, subject, image, config_type="application/spdx+json")):
            up.add_manifest("team/app", sha256(body), body)
        strata = Strata(d, {"fault.test": up.url}, extra_args=["--log-level", "info"]).start()
        base = strata.url + "/v2/fault.test/team/app"
        urls = {"hot manifest by digest": (base + "/manifests/" + subject, ["Accept: " + OCI_MANIFEST]),
                "referrers (cached)": (base + "/referrers/" + subject, []),
                "referrers ?artifactType= (cached)": (base + "/referrers/" + subject + "?artifactType=" + SIG_TYPE, [])}
        for url, headers in urls.values():
            r = http("GET", url, headers=dict(h.split(": ", 1) for h in headers))
            assert r.status == 200, (url, r.status, r.body)
        rates = {name: [] for name in urls}
        try:
            for _ in range(args.rounds):
                for name, (url, headers) in urls.items():
                    rps, _, _ = wrk(url, 32, args.seconds, headers, threads=cpus.wrk_threads, cpus=cpus.load_cpus)
                    rates[name].append(rps)
        finally:
            strata.stop()
            up.stop()
    hot = max(rates["hot manifest by digest"])
    for name, values in rates.items():
        print("  %-36s %9.0f req/s (best of %d)  %.2fx hot manifest" % (name, max(values), len(values), max(values) / hot))
    ratio = max(rates["referrers (cached)"]) / hot
    print("  cached referrers / hot manifest: %.2fx (target >= 0.8x)" % ratio)
    return 0 if ratio >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
