#!/usr/bin/env bash
# Installs Switchboard: the binary, a commented config, a data directory and a
# hardened systemd unit. Safe to run again (for example after `git pull`): it
# replaces the binary but never overwrites the config or a unit the admin edited.
set -euo pipefail
shopt -s inherit_errexit

usage() {
    cat <<'EOF'
Usage: install.sh [--prefix DIR] [--no-systemd] [--binary PATH] [--help]

Installs Switchboard on Debian/Ubuntu. Without options (run as root) it builds
the release binary from this repository and installs:
  /usr/local/bin/switchboard                 the binary
  /etc/switchboard/switchboard.toml          the config (only if missing)
  /var/lib/switchboard                       the data directory, owned by user 'switchboard'
  /etc/systemd/system/switchboard.service    a hardened unit, enabled and started

Options:
  --prefix DIR    install everything under DIR: DIR/bin, DIR/etc/switchboard,
                  DIR/var/lib/switchboard, DIR/etc/systemd/system
  --no-systemd    no system user, no unit, no systemctl; with --prefix this
                  needs no root privileges
  --binary PATH   install this already built binary instead of building one
  -h, --help      show this help

Building needs Rust (see Cargo.toml's rust-version); get it from https://rustup.rs.
To build as yourself and install as root:
  cargo build --release --locked && sudo ./install.sh --binary target/release/switchboard
EOF
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

say() {
    echo "==> $*"
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
prefix=""
binary=""
systemd=1

while (($# > 0)); do
    case "$1" in
        --prefix) (($# >= 2)) || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --binary) (($# >= 2)) || die "--binary needs a path"; binary=$2; shift 2 ;;
        --binary=*) binary=${1#--binary=}; shift ;;
        --no-systemd) systemd=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
done

if [[ -n $prefix ]]; then
    prefix=$(realpath -m -- "$prefix")
    [[ $prefix =~ ^[A-Za-z0-9._/+@:-]+$ ]] ||
        die "the prefix $prefix may only contain letters, digits and ._/+@:- (it goes into TOML and a systemd unit)"
    [[ $prefix == / ]] && prefix=""
fi
if [[ -n $binary ]]; then
    [[ -f $binary && -x $binary ]] || die "--binary $binary is not an executable file"
fi

if [[ -n $prefix ]]; then
    bin_dir=$prefix/bin
else
    bin_dir=/usr/local/bin
fi
bin_path=$bin_dir/switchboard
config_dir=$prefix/etc/switchboard
config_path=$config_dir/switchboard.toml
data_dir=$prefix/var/lib/switchboard
unit_dir=$prefix/etc/systemd/system
unit_path=$unit_dir/switchboard.service

# Only an unprivileged --prefix --no-systemd install can do without root.
if [[ $EUID -ne 0 && (-z $prefix || $systemd -eq 1) ]]; then
    die "run as root (sudo), or use --prefix DIR --no-systemd for a private install"
fi

# Prints the path of a cargo that works; rustup's proxy without a toolchain doesn't.
find_cargo() {
    local cargo
    for cargo in "$(command -v cargo || true)" "${CARGO_HOME:-$HOME/.cargo}/bin/cargo"; do
        if [[ -n $cargo && -x $cargo ]] && "$cargo" --version >/dev/null 2>&1; then
            echo "$cargo"
            return 0
        fi
    done
}

# Prints "major minor" of a version string like "rustc 1.85.0 (...)" or "1.85".
major_minor() {
    local version
    version=$(grep -oE '[0-9]+\.[0-9]+' <<<"$1" | head -n1)
    echo "${version%%.*} ${version#*.}"
}

build_binary() {
    [[ -f $repo/Cargo.toml ]] || die "no Cargo.toml next to install.sh; pass --binary PATH"
    local cargo
    cargo=$(find_cargo)
    if [[ -z $cargo ]] && command -v rustup >/dev/null; then
        say "cargo is missing; installing the stable toolchain with the rustup already on this machine"
        rustup toolchain install stable --profile minimal
        rustup default stable
        cargo=$(find_cargo)
    fi
    if [[ -z $cargo ]]; then
        # Debian's packaged cargo is older than our minimum Rust version, and
        # piping a download into a shell is a decision for the admin, not for us.
        die "Rust is not installed. Install it from https://rustup.rs, then run install.sh again."
    fi
    local need have need_major need_minor have_major have_minor
    need=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml")
    have=$("$cargo" --version)
    if [[ -n $need ]]; then
        read -r need_major need_minor <<<"$(major_minor "$need")"
        read -r have_major have_minor <<<"$(major_minor "$have")"
        if ((have_major < need_major || (have_major == need_major && have_minor < need_minor))); then
            die "$have is older than the Rust $need Switchboard needs; update it (rustup update) or install Rust from https://rustup.rs"
        fi
    fi
    say "building the release binary (this takes a few minutes)"
    (cd "$repo" && "$cargo" build --release --locked)
    binary=${CARGO_TARGET_DIR:-$repo/target}/release/switchboard
    [[ -x $binary ]] || die "the build did not produce $binary"
}

# Replaces $2 with $1 atomically, so a running server keeps its old inode.
# Prints "changed" when the content differed.
install_file() {
    local source=$1 target=$2 mode=$3
    if [[ -f $target ]] && cmp -s "$source" "$target"; then
        return 0
    fi
    local temporary
    temporary=$(mktemp "$target.XXXXXX")
    cp "$source" "$temporary"
    chmod "$mode" "$temporary"
    mv -f "$temporary" "$target"
    echo changed
}

write_config() {
    cat <<EOF
# Switchboard configuration (TOML), written once by install.sh: running
# install.sh again never overwrites this file, so edit it freely.
#
# Unknown keys are errors, so a typo stops the server instead of being ignored.
# Every key can also be set with an environment variable SWITCHBOARD_<KEY>
# (e.g. SWITCHBOARD_LOG=debug), which wins over this file. Show the effective
# configuration with:
#   $bin_path --config $config_path config
# Commented-out keys show their default value.

# Address and port the HTTP server listens on. Keep it on 127.0.0.1 and put a
# reverse proxy that terminates TLS in front of it.
bind = "127.0.0.1:8080"

# Directory holding switchboard.db, secret.key and uploads/: back it up. The
# systemd unit may only write here; if you move it, allow the new directory with
# \`systemctl edit switchboard\`: [Service] ReadWritePaths=/new/directory
data_dir = "$data_dir"

# URL prefix the whole app lives under, e.g. "/script" (empty for the root).
#base_path = ""

# Absolute URL clients reach the server at, used in links the API returns
# (avatars, transcripts). Empty means http://<bind><base_path>.
#public_url = "https://support.example.com"

# Largest request body accepted, in bytes; larger ones get request-too-large.
#max_body_bytes = 2097152

# A user is online when their last activity is at most this many seconds old.
#online_window_seconds = 60

# A typing status set by set-typing expires after this many seconds.
#typing_timeout_seconds = 10

# How long a transcript download link stays valid, in seconds.
#download_ttl_seconds = 3600

# Pooled SQLite connections (4 MiB page cache each); two per core suit most machines.
#db_pool_size = 4

# Log filter in tracing syntax, e.g. "info" or "switchboard=debug".
#log = "info"
EOF
}

# Modelled on miniflux's packaging/systemd/miniflux.service. Every line says
# why it is there; see systemd.exec(5) for the details.
write_unit() {
    cat <<EOF
# Switchboard, installed by install.sh. Prefer customising it with
#   systemctl edit switchboard
# (a drop-in that install.sh never touches) over editing this file; if you do
# edit it, install.sh keeps your version and writes its own next to it as .new.

[Unit]
Description=Switchboard customer-support server
# Listening needs the network stack; binding 127.0.0.1 needs nothing more.
After=network.target

[Service]
# The server stays in the foreground and logs to stderr, which the journal keeps.
Type=simple
ExecStart=$bin_path --config $config_path serve
# A dedicated user that owns nothing but the data directory.
User=switchboard
Group=switchboard
# Come back after a crash; systemd's start limit stops a crash loop.
Restart=on-failure
RestartSec=5
# SIGTERM lets in-flight requests finish and the database checkpoint.
TimeoutStopSec=30

# Neither setuid binaries nor file capabilities can raise privileges.
NoNewPrivileges=true
# The whole file system is read-only for the service ...
ProtectSystem=strict
# ... except the data directory, where the SQLite file and uploads live.
ReadWritePaths=$data_dir
# Users' home directories are invisible.
ProtectHome=true
# A private /tmp, so no other process can read or plant temporary files.
PrivateTmp=true
# No access to physical devices; only /dev/null, /dev/urandom and friends.
PrivateDevices=true
# No capabilities at all: the default port 8080 needs none. To listen on port
# 80 directly, set CapabilityBoundingSet=CAP_NET_BIND_SERVICE and
# AmbientCapabilities=CAP_NET_BIND_SERVICE in a drop-in.
CapabilityBoundingSet=
# IPv4 and IPv6 for HTTP and mail, Unix sockets for the journal; nothing else.
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
# Only the system calls an ordinary service needs; others fail with EPERM.
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
# Native system calls only (no 32-bit compatibility entry points).
SystemCallArchitectures=native
# Files the service creates (database, uploads, secret key) are private to it.
UMask=0077
# The execution domain cannot be changed (a rarely used attack surface).
LockPersonality=true
# Memory cannot be both writable and executable; Switchboard has no JIT.
MemoryDenyWriteExecute=true
# No new namespaces, so no container tricks from inside the service.
RestrictNamespaces=true
# No realtime scheduling, which could starve the rest of the machine.
RestrictRealtime=true
# No setuid or setgid files can be created.
RestrictSUIDSGID=true
# /proc/sys, /sys and friends are read-only.
ProtectKernelTunables=true
# Kernel modules cannot be loaded.
ProtectKernelModules=true
# The kernel log buffer is unreadable.
ProtectKernelLogs=true
# The control-group hierarchy is read-only.
ProtectControlGroups=true
# The system clock cannot be changed.
ProtectClock=true
# The hostname cannot be changed.
ProtectHostname=true
# Other processes are invisible in /proc.
ProtectProc=invisible
# System V and POSIX IPC objects are removed when the service stops.
RemoveIPC=true

[Install]
# Start at boot with the rest of the multi-user system.
WantedBy=multi-user.target
EOF
}

cleanup=()
trap 'rm -f -- "${cleanup[@]}"' EXIT

if [[ -z $binary ]]; then
    build_binary
fi

# The system user exists only for the unit, which runs the server as it.
if ((systemd)) && ! id -u switchboard >/dev/null 2>&1; then
    say "creating the system user switchboard"
    useradd --system --home /var/lib/switchboard --shell /usr/sbin/nologin --user-group switchboard
fi

say "installing $bin_path"
mkdir -p "$bin_dir"
binary_changed=$(install_file "$binary" "$bin_path" 0755)

say "preparing the data directory $data_dir"
mkdir -p "$data_dir"
chmod 0750 "$data_dir"
if ((systemd)); then
    chown switchboard:switchboard "$data_dir"
fi

mkdir -p "$config_dir"
if [[ -e $config_path ]]; then
    say "keeping the existing $config_path"
else
    say "writing $config_path"
    temporary=$(mktemp "$config_path.XXXXXX")
    cleanup+=("$temporary")
    write_config >"$temporary"
    # The config may hold secrets one day: readable by the service, not by everyone.
    chmod 0640 "$temporary"
    if ((systemd)); then
        chgrp switchboard "$temporary"
    fi
    mv "$temporary" "$config_path"
fi

# Catch a broken or outdated config now rather than in a restart loop.
if ! "$bin_path" --config "$config_path" config >/dev/null; then
    die "$config_path is not valid (see above); fix it and run install.sh again"
fi

if ((!systemd)); then
    echo
    echo "Switchboard is installed. Start it with:"
    echo "  $bin_path --config $config_path"
    echo "On first start it prints the admin email, password and API token once."
    exit 0
fi

mkdir -p "$unit_dir"
temporary=$(mktemp)
cleanup+=("$temporary")
write_unit >"$temporary"
unit_changed=""
if [[ ! -e $unit_path ]]; then
    say "writing $unit_path"
    unit_changed=$(install_file "$temporary" "$unit_path" 0644)
elif cmp -s "$temporary" "$unit_path"; then
    rm -f "$unit_path.new"
else
    say "$unit_path differs from this version's; keeping it and writing $unit_path.new to compare"
    install_file "$temporary" "$unit_path.new" 0644 >/dev/null
fi

if [[ $unit_dir != /etc/systemd/system ]]; then
    echo
    echo "Switchboard is installed. systemd does not read $unit_dir; to use the unit:"
    echo "  systemctl link $unit_path && systemctl enable --now switchboard"
    exit 0
fi
if [[ ! -d /run/systemd/system ]]; then
    echo
    echo "systemd is not running on this machine, so the service was not started. Start it with:"
    echo "  sudo -u switchboard $bin_path --config $config_path"
    exit 0
fi

say "enabling and starting switchboard.service"
was_active=$(systemctl is-active switchboard || true)
systemctl daemon-reload
systemctl enable --now switchboard
if [[ $was_active == active && -n $binary_changed$unit_changed ]]; then
    # enable --now leaves a running server alone; give it the new binary. Never
    # restart a first start, which might be printing the admin's credentials.
    systemctl restart switchboard
fi

cat <<EOF

Switchboard is running on the address in $config_path (127.0.0.1:8080 by default).
On its first start it printed the admin email, password and API token, once:
  journalctl -u switchboard
Print the admin's API token again at any time with:
  sudo -u switchboard $bin_path --config $config_path admin token --email admin@switchboard.local
EOF
