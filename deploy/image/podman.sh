# Sourced by the image scripts: podman as it works on these machines (Debian's podman with runc,
# host networking, no rlimits: the sandbox refuses setrlimit, so containers.conf clears
# default_ulimits). Installs podman and runc from Debian when missing (apt, as root).
ensure_podman() {
  if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
    echo "podman: installing podman runc from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc >&2
  fi
  local conf_dir="${XDG_CONFIG_HOME:-$HOME/.config}/impact-in"
  mkdir -p "$conf_dir"
  if [[ ! -f $conf_dir/containers.conf ]]; then
    printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >"$conf_dir/containers.conf"
  fi
  export CONTAINERS_CONF="$conf_dir/containers.conf"
}

# podman with the runtime this sandbox needs, whatever the user's own containers.conf says.
pm() { podman --runtime runc "$@"; }
