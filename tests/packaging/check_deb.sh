#!/usr/bin/env bash
# Builds the Debian package from a finished build and checks it as a user and a packager would:
# its name, its dependencies (computed from the binary by dpkg-shlibdeps), its contents, that
# it installs and removes with dpkg in a scratch root where the binary runs and `man kpipe`
# renders, and that lintian reports
# nothing (errors or warnings; overrides, if ever needed, go in packaging/debian/ with a reason).
# Usage: check_deb.sh BUILD_DIR VERSION
set -euo pipefail
build_dir="$1"
version="$2"
out="$(mktemp -d "${TMPDIR:-/tmp}/kpipe-deb-XXXXXX")"
trap 'rm -rf "$out"' EXIT
fail() { echo "check_deb: $*" >&2; exit 1; }

for tool in cpack dpkg-deb dpkg-shlibdeps lintian man; do
  command -v "$tool" >/dev/null || fail "$tool is not installed; scripts/setup installs it"
done

(cd "$build_dir" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) ||
  { cat "$out/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb="$out/kpipe_${version}_amd64.deb"
[ -f "$deb" ] || fail "expected $deb; cpack made: $(ls "$out")"

depends="$(dpkg-deb -f "$deb" Depends)"
for library in librdkafka1 libsimdjson libc6; do
  [[ "$depends" == *"$library"* ]] || fail "Depends lacks $library (shlibdeps?): $depends"
done

contents="$(dpkg-deb -c "$deb" | awk '{print $NF}')"
expected=(./usr/bin/kpipe ./usr/share/man/man1/kpipe.1.gz
          ./usr/share/bash-completion/completions/kpipe ./usr/share/zsh/vendor-completions/_kpipe
          ./usr/share/doc/kpipe/copyright ./usr/share/doc/kpipe/changelog.gz)
for page in "$(dirname "$0")"/../../man/*.1; do
  expected+=("./usr/share/man/man1/$(basename "$page").gz")
done
for path in "${expected[@]}"; do
  grep -qxF "$path" <<<"$contents" || fail "$path is not in the package"
done

# Installed with dpkg into a scratch root with its own package database. That database knows
# none of the host's packages, hence --force-depends; the binary runs against the host's
# libraries, which scripts/setup installed.
root="$out/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-not-root --force-depends -i "$deb" >"$out/dpkg.log" 2>&1 ||
  { cat "$out/dpkg.log" >&2; fail "dpkg -i into a scratch root failed"; }
dpkg --root="$root" -s kpipe | grep -qx 'Status: install ok installed' ||
  fail "dpkg does not report kpipe as installed in the scratch root"
reported="$("$root/usr/bin/kpipe" --version)"
[[ "$reported" == *"$version"* ]] || fail "kpipe --version from the package said: $reported"
page="$(MANPATH="$root/usr/share/man" MANWIDTH=80 man kpipe 2>&1)"
[[ "$page" == *"transform"* ]] || fail "man kpipe from the package did not render: ${page:0:300}"

dpkg --root="$root" --force-not-root -r kpipe >"$out/dpkg.log" 2>&1 ||
  { cat "$out/dpkg.log" >&2; fail "dpkg -r from the scratch root failed"; }
[ ! -e "$root/usr/bin/kpipe" ] || fail "dpkg -r left usr/bin/kpipe behind"

lintian_output="$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1 |
                  grep -v '^running with root privileges' || true)"
if ! lintian --fail-on error,warning "$deb" >/dev/null 2>&1; then
  fail "lintian reports: $lintian_output"
fi
echo "ok: $(basename "$deb"), Depends: $depends"
[ -z "$lintian_output" ] || echo "lintian (info only): $lintian_output"
