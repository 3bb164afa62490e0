#!/usr/bin/env bash
# Builds strata's OCI image from Debian 12 packages only: an mmdebstrap "essential" root with
# strata's runtime libraries and haproxy (the ring front, deploy/ring/), /usr/bin/strata from
# build/ (built Release first if missing), a non-root user (uid 65532), /etc/strata/strata.json
# and /var/lib/strata; assembled by buildah.
#   bash deploy/image/build.sh [--out DIR] [--tag TAG] [--push REF] [--tls-verify=false]
# Writes an OCI layout at DIR (default build/image) tagged TAG (default the version), and
# pushes it to REF (e.g. docker://registry.lab:5000/strata:0.1.0) when asked. Needs root (or
# rootless buildah set up) and Debian's archive; installs mmdebstrap and buildah if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=build/image
tag=$(./build/strata --version 2> /dev/null | awk '{print $2}' || true)
push=""
tls_verify=true
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --push) push=$2; shift 2 ;;
    --tls-verify=false) tls_verify=false; shift ;;
    *) echo "build.sh: unknown argument $1 (see the header of deploy/image/build.sh)" >&2; exit 2 ;;
  esac
done

for tool in mmdebstrap buildah skopeo; do
  command -v $tool > /dev/null || missing="${missing:-} $tool"
done
if [ -n "${missing:-}" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi
[ -x build/strata ] || bash deploy/setup.sh build
tag=${tag:-$(./build/strata --version | awk '{print $2}')}

# strata's shared libraries (RocksDB is linked in), the CA certificates for HTTPS upstreams, and
# haproxy: the same image runs the consistent-hash front of a replica set (deploy/ring/).
runtime=libssl3,libspdlog1.10,libfmt9,libprometheus-cpp-core1.0,liblz4-1,libsnappy1v5,libbz2-1.0,libzstd1,zlib1g,libstdc++6,libsimdjson14,ca-certificates,haproxy

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mmdebstrap --quiet --variant=essential --include="$runtime" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm "$rootfs"
rm -rf "$rootfs"/var/cache/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*

install -m 0755 -s build/strata "$rootfs/usr/bin/strata"
install -D -m 0644 deploy/image/strata.json "$rootfs/etc/strata/strata.json"
echo "strata:x:65532:65532:strata:/var/lib/strata:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
echo "strata:x:65532:" >> "$rootfs/etc/group"
install -d -m 0750 -o 65532 -g 65532 "$rootfs/var/lib/strata"
# Checked inside the root: every library strata needs is there.
chroot "$rootfs" /usr/bin/strata serve --check-config --config /etc/strata/strata.json > /dev/null
chroot "$rootfs" /usr/sbin/haproxy -v > /dev/null

container=$(buildah from scratch)
trap 'buildah rm "$container" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
# As a tar: buildah add keeps an archive's owners (buildah copy would make every file root's).
tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
buildah add --quiet "$container" "$work/rootfs.tar" / > /dev/null
buildah config --user 65532:65532 --workingdir /var/lib/strata \
  --entrypoint '["/usr/bin/strata"]' --cmd 'serve --config /etc/strata/strata.json' \
  --port 5000 --port 9090 --volume /var/lib/strata \
  --label org.opencontainers.image.title=strata \
  --label org.opencontainers.image.description="OCI pull-through cache with analytics" \
  --label org.opencontainers.image.version="$tag" \
  --os linux --arch amd64 "$container"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
buildah commit --quiet --format oci --disable-compression=false --rm "$container" "oci:$out:$tag" > /dev/null
trap 'rm -rf "$work"' EXIT
echo "build.sh: OCI layout $out, tag $tag"
if [ -n "$push" ]; then
  skopeo copy --quiet --dest-tls-verify="$tls_verify" "oci:$out:$tag" "$push"
  echo "build.sh: pushed $push"
fi
