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

# The config and the unit are the Debian package's (packaging/), with this
# install's paths in place of the package's.
from_package() {
    local template=$repo/packaging/$1
    [[ -f $template ]] || die "$template is missing; run install.sh from a Switchboard checkout"
    sed -e "s|/usr/bin/switchboard|$bin_path|g" \
        -e "s|/etc/switchboard/switchboard.toml|$config_path|g" \
        -e "s|/var/lib/switchboard|$data_dir|g" "$template"
}

write_config() {
    from_package switchboard.toml
}

write_unit() {
    from_package debian/switchboard.service
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
chmod 0700 "$data_dir"
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
