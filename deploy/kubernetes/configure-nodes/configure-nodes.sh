#!/bin/sh
# configure-nodes.sh: points a node's containerd at strata for every configured upstream, or
# takes that back. Run by the configure-nodes DaemonSet with the host's / mounted at HOST_ROOT;
# a plain script, so it also runs by hand on a node (HOST_ROOT=/).
#   configure-nodes.sh install     write certs.d/<upstream>/hosts.toml for each upstream
#   configure-nodes.sh uninstall   remove what install wrote, put back what it set aside
# Environment:
#   STRATA_ENDPOINT   where the node reaches strata, e.g. http://127.0.0.1:5000 (node-local
#                     DaemonSet) or http://strata.strata.svc:5000 (the cluster Service); required
#   UPSTREAMS         upstream names, space separated (default: the six strata knows by default)
#   NODE_NAME         sent as X-Strata-Node so strata tells nodes apart (default: hostname)
#   HOST_ROOT         the host's root as this script sees it (default /host)
#   CONTAINERD_CONFIG containerd's config on the host (default /etc/containerd/config.toml)
#   CERTS_DIR         containerd's config_path on the host (default /etc/containerd/certs.d)
# containerd reads hosts.toml files on each pull: no restart is needed. It reads them only if
# its config sets config_path to CERTS_DIR; install checks that and refuses otherwise.
set -euf  # -f: UPSTREAMS is split into words, never expanded as file names

MARKER="# written by strata configure-nodes"
HOST_ROOT=${HOST_ROOT:-/host}
CONTAINERD_CONFIG=${CONTAINERD_CONFIG:-/etc/containerd/config.toml}
CERTS_DIR=${CERTS_DIR:-/etc/containerd/certs.d}
UPSTREAMS=${UPSTREAMS:-docker.io ghcr.io quay.io nvcr.io registry.k8s.io mcr.microsoft.com}
NODE_NAME=${NODE_NAME:-$(hostname)}

fail() {
  echo "configure-nodes: $*" >&2
  exit 1
}

# The registry an upstream name stands for, as containerd's default resolver would reach it.
server_of() {
  case $1 in
    docker.io) echo "https://registry-1.docker.io" ;;
    *) echo "https://$1" ;;
  esac
}

# grep matches line by line: a value with a newline could pass on its first line alone. Values
# go to grep through printf '%s', never echo, which in dash reads backslash escapes.
one_line() {
  case $2 in
    *"
"*) fail "$1 must be one line" ;;
  esac
}

# Names and values end up in TOML and in paths: only what a registry host and a node name can be.
check_inputs() {
  one_line STRATA_ENDPOINT "${STRATA_ENDPOINT:-}"
  one_line NODE_NAME "$NODE_NAME"
  one_line UPSTREAMS "$UPSTREAMS"
  case ${STRATA_ENDPOINT:-} in
    http://* | https://*) ;;
    *) fail "STRATA_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:5000 (got '${STRATA_ENDPOINT:-}')" ;;
  esac
  printf '%s\n' "$STRATA_ENDPOINT" | grep -Eq '^https?://[][A-Za-z0-9.:-]+/?$' ||
    fail "STRATA_ENDPOINT must be scheme://host[:port] with nothing else (got '$STRATA_ENDPOINT')"
  printf '%s\n' "$NODE_NAME" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$' || fail "NODE_NAME is not a node name: '$NODE_NAME'"
  for upstream in $UPSTREAMS; do
    printf '%s\n' "$upstream" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?$' || fail "not a registry host: '$upstream'"
  done
}

# containerd only reads certs.d when config_path names it (CRI plugin, config version 2).
check_config_path() {
  config="$HOST_ROOT$CONTAINERD_CONFIG"
  [ -f "$config" ] || fail "no containerd config at $CONTAINERD_CONFIG (under $HOST_ROOT); set CONTAINERD_CONFIG"
  grep -Eq "^[[:space:]]*config_path[[:space:]]*=[[:space:]]*\"$CERTS_DIR/?\"" "$config" ||
    fail "containerd's $CONTAINERD_CONFIG does not set config_path = \"$CERTS_DIR\" under [plugins.\"io.containerd.grpc.v1.cri\".registry]: add it and restart containerd once, then run this again"
}

hosts_toml() {
  endpoint=${STRATA_ENDPOINT%/}
  cat <<TOML
$MARKER for $1; removed by its uninstall.
server = "$(server_of "$1")"

[host."$endpoint"]
  capabilities = ["pull", "resolve"]
[host."$endpoint".header]
  X-Strata-Node = ["$NODE_NAME"]
TOML
}

install() {
  check_inputs
  check_config_path
  for upstream in $UPSTREAMS; do
    dir="$HOST_ROOT$CERTS_DIR/$upstream"
    mkdir -p "$dir"
    if [ -f "$dir/hosts.toml" ] && ! grep -q "^$MARKER" "$dir/hosts.toml"; then
      [ -f "$dir/hosts.toml.before-strata" ] || mv "$dir/hosts.toml" "$dir/hosts.toml.before-strata"
    fi
    hosts_toml "$upstream" > "$dir/hosts.toml.tmp"
    mv "$dir/hosts.toml.tmp" "$dir/hosts.toml"
    echo "configure-nodes: $CERTS_DIR/$upstream/hosts.toml -> $STRATA_ENDPOINT (node $NODE_NAME)"
  done
}

uninstall() {
  root="$HOST_ROOT$CERTS_DIR"
  [ -d "$root" ] || return 0
  set +f  # the one glob: the directories under certs.d
  for dir in "$root"/*/; do
    dir=${dir%/}
    [ -f "$dir/hosts.toml" ] && grep -q "^$MARKER" "$dir/hosts.toml" || continue
    rm -f "$dir/hosts.toml"
    if [ -f "$dir/hosts.toml.before-strata" ]; then
      mv "$dir/hosts.toml.before-strata" "$dir/hosts.toml"
    else
      rmdir "$dir" 2> /dev/null || true
    fi
    echo "configure-nodes: removed $CERTS_DIR/${dir##*/}/hosts.toml"
  done
}

case ${1:-} in
  install) install ;;
  uninstall) uninstall ;;
  *)
    echo "usage: configure-nodes.sh install|uninstall (see the header of this file)" >&2
    exit 2
    ;;
esac
