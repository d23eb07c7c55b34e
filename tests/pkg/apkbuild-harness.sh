#!/bin/sh
# Build an APKBUILD the way abuild would, without abuild: Debian has neither
# abuild nor apk-tools.  The harness sources the APKBUILD in abuild's
# environment and checks a subset of abuild's validate and of apkbuild-lint.
# It verifies sha512sums and runs prepare, build, check (native only, as
# abuild does), package, the split functions and a subset of postcheck.
# Then it sources the shipped OpenRC files with a stub depend() and compares
# the file list with an expected one.
#
# Usage: busybox sh tests/pkg/apkbuild-harness.sh [-a ARCH] [-d DISTDIR]
#            [-e EXPECTED] [-t] [-u] DIR
#   -a ARCH      x86_64, aarch64 or armv7 (default: this machine); another
#                arch is cross-compiled with Debian's musl wrappers
#   -d DISTDIR   where remote sources are ($SRCDEST for abuild)
#   -e EXPECTED  file list to compare with (see tests/pkg/files.txt)
#   -t           the source tarball was just made from this tree (make dist):
#                use its computed sha512, still verify every local file
#   -u           write the computed sha512sums into DIR/APKBUILD and stop
#                (what "abuild checksum" does)
# KEEP=1 keeps the work directory.  Prints PASS:/FAIL: lines; exits 1 on
# any failure.
#
# Not covered (needs Alpine): dependency resolution, .PKGINFO, signing, the
# install scripts running under apk, busybox's trigger, OpenRC starting the
# services.

_arch=
_distdir=
_expected=
_trust_tarball=0
_update=0
while getopts a:d:e:tu _opt; do
	case $_opt in
	a) _arch=$OPTARG ;;
	d) _distdir=$OPTARG ;;
	e) _expected=$OPTARG ;;
	t) _trust_tarball=1 ;;
	u) _update=1 ;;
	*) sed -n '/^# Usage:/,/^# any failure/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -f "$1/APKBUILD" ]; then
	echo "usage: apkbuild-harness.sh [-a ARCH] [-d DISTDIR] [-e EXPECTED] [-t] [-u] DIR" \
	    "(DIR holds the APKBUILD)" >&2
	exit 2
fi

_top=$(pwd)
startdir=$(cd "$1" && pwd)
[ -z "$_distdir" ] || _distdir=$(cd "$_distdir" && pwd)
[ -z "$_expected" ] || _expected=$(cd "$(dirname "$_expected")" && pwd)/$(basename "$_expected")
_failed=0
_passed=0

_pass() {
	echo "PASS: apkbuild: $*"
	_passed=$((_passed + 1))
}

_fail() {
	echo "FAIL: apkbuild: $*"
	_failed=$((_failed + 1))
}

_note() {
	echo "apkbuild: $*"
}

# Validation errors stop the run, as in abuild.
_die() {
	_fail "$*"
	echo "apkbuild: $_passed passed, $_failed failed"
	exit 1
}

# --- abuild's environment (abuild 3.x default.conf and functions.sh) -------

_host_arch=$(uname -m)
[ "$_host_arch" = armv7l ] && _host_arch=armv7
: "${_arch:=$_host_arch}"
_triplet() {
	case $1 in
	armv7) echo armv7-alpine-linux-musleabihf ;;
	*) echo "$1-alpine-linux-musl" ;;
	esac
}
CARCH=$_arch
CBUILD=$(_triplet "$_host_arch")
CHOST=$(_triplet "$CARCH")
CTARGET=$CHOST
CLIBC=musl
export CARCH CBUILD CHOST CTARGET CLIBC

_musl_host=0
case $(cc -dumpmachine 2>/dev/null) in *musl*) _musl_host=1 ;; esac
case $CARCH in
x86_64)
	if [ $_musl_host = 1 ]; then CC=cc; else CC=musl-gcc; fi
	_strip=strip
	_file_arch="x86-64"
	;;
aarch64)
	CC=aarch64-linux-musl-gcc
	_strip=aarch64-linux-gnu-strip
	_file_arch="ARM aarch64"
	;;
armv7)
	CC=arm-linux-musleabihf-gcc
	_strip=arm-linux-gnueabihf-strip
	_file_arch="ARM, EABI5"
	;;
*)
	echo "apkbuild-harness: unknown arch $CARCH (x86_64, aarch64, armv7)" >&2
	exit 2
	;;
esac
if [ "$CARCH" = "$_host_arch" ] && [ $_musl_host = 1 ]; then
	_strip=strip
fi
export CC
export CFLAGS="-Os -fstack-clash-protection -Wformat -Werror=format-security"
export CXXFLAGS="$CFLAGS"
export CPPFLAGS=""
export LDFLAGS="-Wl,--as-needed,-O1,--sort-common"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$startdir" log -1 --format=%ct 2>/dev/null || date +%s)}"
export JOBS=2
export MAKEFLAGS="-j$JOBS"
# Variables of an outer make or test run would change the inner build.
unset MFLAGS MAKELEVEL ARCH O RUN SANITIZE BUILD E2E_ONLY UNIT_ONLY CMOCKA_SRC \
    TEST_CC TEST_CFLAGS TEST_LDFLAGS TEST_LIBS
umask 022

_work=$(mktemp -d "${TMPDIR:-/tmp}/apkbuild.XXXXXX")
if [ -z "$KEEP" ]; then
	trap 'rm -rf "$_work"' EXIT
else
	_note "work directory $_work"
fi
srcdir=$_work/src
pkgbasedir=$_work/pkg
tmpdir=$_work/tmp
mkdir -p "$srcdir" "$pkgbasedir" "$tmpdir"

# --- helpers that APKBUILDs call ---------------------------------------------

msg() { echo ">>> $*"; }
msg2() { echo "    $*"; }
warning() { echo ">>> WARNING: $*"; }
error() { echo ">>> ERROR: $*"; }
die() { error "$*"; exit 1; }

options_has() {
	for _o in $options; do
		[ "$_o" = "$1" ] && return 0
	done
	return 1
}

want_check() {
	[ "$CBUILD" = "$CHOST" ] || return 1
	! options_has "!check"
}

default_prepare() {
	for _s in $source; do
		case ${_s%%::*} in
		*.patch)
			msg "${_s##*/}"
			patch -p1 -i "$srcdir/${_s##*/}" || return 1
			;;
		esac
	done
}

prepare() { default_prepare; }

# amove PATH...: move PATH (relative to $pkgdir) to the same place in $subpkgdir.
amove() {
	[ -n "$subpkgdir" ] || die "amove outside a split function"
	for _p in "$@"; do
		_p=${_p#/}
		# shellcheck disable=SC2086 # globs are expanded on purpose
		for _m in $(cd "$pkgdir" && echo $_p); do
			[ -e "$pkgdir/$_m" ] || [ -L "$pkgdir/$_m" ] || die "amove: $_m not found"
			mkdir -p "$subpkgdir/$(dirname "$_m")"
			mv "$pkgdir/$_m" "$subpkgdir/$(dirname "$_m")/"
			_d=$(dirname "$_m")
			while [ "$_d" != . ] && rmdir "$pkgdir/$_d" 2>/dev/null; do
				_d=$(dirname "$_d")
			done
		done
	done
}

default_doc() {
	depends="$depends_doc"
	pkgdesc="$pkgdesc (documentation)"
	install_if="docs $pkgname=$pkgver-r$pkgrel"
	for _d in usr/share/doc usr/share/man usr/share/info usr/share/html \
	    usr/share/licenses usr/share/gtk-doc; do
		[ -d "$pkgdir/$_d" ] && amove "$_d"
	done
	# abuild gzips man pages and points links at the compressed names.
	if [ -d "$subpkgdir/usr/share/man" ]; then
		find "$subpkgdir/usr/share/man" -type f ! -name '*.gz' -exec gzip -n -9 {} +
		find "$subpkgdir/usr/share/man" -type l ! -name '*.gz' | while read -r _l; do
			_t=$(readlink "$_l")
			rm "$_l"
			ln -s "$_t.gz" "$_l.gz"
		done
	fi
	return 0
}

doc() { default_doc; }

default_openrc() {
	pkgdesc="$pkgdesc (OpenRC init scripts)"
	install_if="openrc ${subpkgname%-openrc}=$pkgver-r$pkgrel"
	for _d in etc/init.d etc/conf.d; do
		[ -d "$pkgdir/$_d" ] && amove "$_d"
	done
	return 0
}

openrc() { default_openrc; }

default_dev() {
	pkgdesc="$pkgdesc (development files)"
	for _d in usr/include usr/lib/pkgconfig usr/share/pkgconfig; do
		[ -d "$pkgdir/$_d" ] && amove "$_d"
	done
	return 0
}

dev() { default_dev; }

# --- source the APKBUILD -----------------------------------------------------

_apkbuild=$startdir/APKBUILD
cd "$startdir" || exit 1

# Sourcing must run no external command: with an empty PATH any such
# command fails.  dash is preferred here because a busybox sh may run its
# own applets (cat, sed) without looking at PATH.
_sh=$(command -v dash || command -v sh)
env PATH=/nonexistent "$_sh" -c 'set -e; . "$1"' sh "$_apkbuild" >"$tmpdir/source.out" 2>&1
if [ $? -eq 0 ]; then
	_pass "sourcing runs no external command"
else
	_die "sourcing the APKBUILD with an empty PATH failed: $(head -n 3 "$tmpdir/source.out")"
fi
set -e
# shellcheck disable=SC1090
. "$_apkbuild"
set +e
: "${builddir:=$srcdir/$pkgname-$pkgver}"
pkgdir=$pkgbasedir/$pkgname

# --- validate (abuild's default_validate and apkbuild-lint, a subset) ------

_matches() {
	printf '%s\n' "$1" | grep -Eq "$2"
}

_validate() {
	_matches "$pkgname" '^[a-z0-9][a-z0-9._+-]*$' ||
	    _die "pkgname '$pkgname': use lower case letters, digits and ._+-"
	_matches "$pkgver" '^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*$' ||
	    _die "pkgver '$pkgver' is not an apk version (no -r suffix, e.g. 1.2.3_rc1)"
	_matches "$pkgrel" '^[0-9]+$' || _die "pkgrel '$pkgrel' is not a number"
	for _v in pkgdesc url license arch; do
		eval "_val=\${$_v}"
		[ -n "$_val" ] || _die "$_v is empty"
	done
	[ ${#pkgdesc} -le 128 ] || _die "pkgdesc is ${#pkgdesc} characters, the maximum is 128"
	case $pkgdesc in *"
"*) _die "pkgdesc has more than one line" ;; esac
	for _a in $arch; do
		case ${_a#!} in
		all|noarch|aarch64|armhf|armv7|loongarch64|ppc64le|riscv64|s390x|x86|x86_64) ;;
		*) _die "arch '$_a' is not an Alpine arch" ;;
		esac
	done

	_n=$(grep -c '^# Maintainer:' "$_apkbuild")
	[ "$_n" -le 1 ] || _die "$_n Maintainer lines, at most one allowed"
	if [ "$_n" -eq 1 ]; then
		grep -Eq '^# Maintainer: [^<>@]+ <[^<>@ ]+@[^<>@ ]+\.[^<>@ ]+>$' "$_apkbuild" ||
		    _die "Maintainer line is not 'Name <address>' (RFC 822)"
	fi

	command -v package >/dev/null || _die "no package() function"
	if ! options_has "!check"; then
		command -v check >/dev/null ||
		    _die "no check() function and no !check in options"
	fi
	[ -z "$conflicts" ] || _die "conflicts= is not an abuild variable: use depends=\"!pkg\""

	for _i in $install; do
		case $_i in
		*.pre-install|*.post-install|*.pre-upgrade|*.post-upgrade|*.pre-deinstall|*.post-deinstall) ;;
		*) _die "install script $_i: unknown suffix" ;;
		esac
		_p=${_i%.*}
		_ok=0
		for _s in $pkgname $subpackages; do
			[ "$_p" = "${_s%%:*}" ] && _ok=1
		done
		[ $_ok = 1 ] || _die "install script $_i: $_p is not a package of this APKBUILD"
		[ -f "$startdir/$_i" ] || _die "install script $_i not found"
		[ "$(head -n 1 "$startdir/$_i")" = "#!/bin/sh" ] ||
		    _die "install script $_i must start with #!/bin/sh"
		sh -n "$startdir/$_i" || _die "install script $_i: syntax error"
		if grep -Eq '(^|[^a-z])(chown|chmod|chgrp)[[:space:]]' "$startdir/$_i"; then
			_die "install script $_i changes permissions; do that in package()"
		fi
	done
	for _u in $pkgusers; do
		grep -Eq "adduser .*[[:space:]]$_u([[:space:]]|\$)" $install /dev/null ||
		    _die "pkguser $_u is not created by a pre-install script"
	done
	for _g in $pkggroups; do
		grep -Eq "addgroup .*[[:space:]]$_g([[:space:]]|\$)" $install /dev/null ||
		    _die "pkggroup $_g is not created by a pre-install script"
	done

	for _s in $source; do
		_f=${_s%%::*}
		case $_s in *://*) continue ;; esac
		[ -f "$startdir/$_f" ] || _die "local source $_f not found"
		case $_f in
		*.initd)
			[ "$(head -n 1 "$startdir/$_f")" = "#!/sbin/openrc-run" ] ||
			    _die "$_f must start with #!/sbin/openrc-run"
			sh -n "$startdir/$_f" || _die "$_f: syntax error"
			;;
		*.confd)
			sh -n "$startdir/$_f" || _die "$_f: syntax error"
			;;
		esac
	done

	# Stray files: abuild warns, we fail, because a stray file usually means a
	# file that was meant to ship.
	for _f in "$startdir"/* "$startdir"/.[!.]*; do
		[ -e "$_f" ] || continue
		_b=${_f##*/}
		[ "$_b" = APKBUILD ] && continue
		_ok=0
		for _s in $source $install $triggers; do
			_s=${_s%%=*}
			_s=${_s##*/}
			[ "$_b" = "$_s" ] && _ok=1
		done
		[ $_ok = 1 ] || _die "stray file $_b is in neither source nor install"
	done

	# apkbuild-lint: AL1, AL6, AL7, AL8, AL13.
	_known="pkgname pkgver pkgrel pkgdesc url arch license depends depends_dev
	    depends_doc depends_openrc depends_static makedepends makedepends_build
	    makedepends_host checkdepends install triggers subpackages source
	    sha512sums options pkgusers pkggroups provides provider_priority replaces
	    replaces_priority install_if builddir giturl langdir patch_args
	    pcprefix sonameprefix"
	for _v in $(sed -n 's/^\([A-Za-z0-9_]*\)=.*/\1/p' "$_apkbuild"); do
		case " $(echo $_known) " in *" $_v "*) continue ;; esac
		case $_v in _*) continue ;; esac
		_die "AL6: variable $_v needs a _ prefix"
	done
	if grep -n '^ ' "$_apkbuild" >"$tmpdir/al7"; then
		_die "AL7: lines indented with spaces: $(cut -d: -f1 "$tmpdir/al7" | tr '\n' ' ')"
	fi
	if grep -n '[[:space:]]$' "$_apkbuild" >"$tmpdir/al8"; then
		_die "AL8: trailing whitespace on lines $(cut -d: -f1 "$tmpdir/al8" | tr '\n' ' ')"
	fi
	if grep -Eq '^builddir="?\$srcdir/\$pkgname-\$pkgver"?$' "$_apkbuild"; then
		_die "AL1: builddir is set to its default value"
	fi
	if grep -Eq '^[[:space:]]*cd "?\$builddir"?[[:space:]]*$' "$_apkbuild"; then
		_die "AL13: cd \"\$builddir\" is superfluous"
	fi
	return 0
}
_validate
_pass "validate: $pkgname-$pkgver-r$pkgrel for $CARCH"

# --- fetch, verify, unpack ---------------------------------------------------

_sum_of() {
	sha512sum "$1" | cut -d' ' -f1
}

# Print the sha512sums lines for the sources as abuild checksum would.
_compute_sums() {
	for _s in $source; do
		_name=${_s%%::*}
		case $_s in *://*) _name=${_s##*/}; case $_s in *::*) _name=${_s%%::*} ;; esac ;; esac
		if [ -f "$srcdir/$_name" ]; then
			echo "$(_sum_of "$srcdir/$_name")  $_name"
		fi
	done
}

_fetch() {
	for _s in $source; do
		case $_s in
		*://*)
			_name=${_s##*/}
			case $_s in *::*) _name=${_s%%::*} ;; esac
			[ -n "$_distdir" ] && [ -f "$_distdir/$_name" ] ||
			    _die "fetch: $_name not in the distfiles directory (-d), and this harness never downloads"
			cp "$_distdir/$_name" "$srcdir/$_name"
			;;
		*)
			_name=${_s%%::*}
			cp "$startdir/$_name" "$srcdir/$_name"
			;;
		esac
	done
}
_fetch

if [ $_update = 1 ]; then
	# Drop the old sha512sums="..." block and any blank lines at the end,
	# then append the new block as abuild checksum writes it.
	_compute_sums >"$tmpdir/sums"
	awk '
		/^sha512sums="/ {
			insums = ($0 !~ /^sha512sums=".*"$/ || $0 == "sha512sums=\"")
			next
		}
		insums { if ($0 ~ /"$/) insums = 0; next }
		{ print }' "$_apkbuild" |
	    awk '/^$/ { blank++; next } { while (blank) { print ""; blank-- } print }' \
	    >"$tmpdir/APKBUILD.new"
	{
		cat "$tmpdir/APKBUILD.new"
		echo
		echo 'sha512sums="'
		cat "$tmpdir/sums"
		echo '"'
	} >"$_apkbuild"
	_note "wrote sha512sums to $_apkbuild"
	exit 0
fi

_verify() {
	_compute_sums >"$tmpdir/sums.computed"
	if [ -z "$sha512sums" ]; then
		_fail "sha512sums is empty; abuild checksum would write:"
		cat "$tmpdir/sums.computed"
		return
	fi
	printf '%s\n' "$sha512sums" | sed '/^[[:space:]]*$/d; s/^[[:space:]]*//' >"$tmpdir/sums.declared"
	while read -r _sum _name; do
		_want=$(awk -v n="$_name" '$2 == n { print $1 }' "$tmpdir/sums.declared")
		_remote=0
		for _s in $source; do
			case $_s in *://*) [ "${_s##*/}" = "$_name" ] && _remote=1 ;; esac
		done
		if [ -z "$_want" ]; then
			_fail "sha512sums has no line for $_name"
		elif [ "$_want" = "$_sum" ]; then
			_pass "sha512 of $_name"
		elif [ $_remote = 1 ] && [ $_trust_tarball = 1 ]; then
			_note "$_name was made from this tree (-t): its sha512 differs from the APKBUILD's, as expected between releases"
		else
			_fail "sha512 of $_name differs from the APKBUILD's (run make pkgsums)"
		fi
	done <"$tmpdir/sums.computed"
}
_verify

_unpack() {
	for _s in $source; do
		_name=${_s##*/}
		case $_s in *::*) _name=${_s%%::*} ;; esac
		case $_name in
		*.tar.gz|*.tgz) gzip -dc "$srcdir/$_name" | tar -C "$srcdir" -xf - ;;
		*.tar.xz) xz -dc "$srcdir/$_name" | tar -C "$srcdir" -xf - ;;
		*.tar.bz2) bzip2 -dc "$srcdir/$_name" | tar -C "$srcdir" -xf - ;;
		*) continue ;;
		esac || _die "unpack: $_name"
	done
	[ -d "$builddir" ] || _die "unpack: builddir $builddir does not exist"
}
_unpack

# --- phases ------------------------------------------------------------------

# _phase NAME: run the function NAME in $builddir with set -e, as abuild does.
_phase() {
	_note "$1 ($CARCH, CC=$CC)"
	(cd "$builddir" && set -e && "$1") >"$tmpdir/$1.log" 2>&1
	if [ $? -eq 0 ]; then
		_pass "$1()"
	else
		tail -n 40 "$tmpdir/$1.log"
		_die "$1() failed (log above)"
	fi
}

_phase prepare
_phase build
if want_check; then
	_phase check
elif options_has "!check"; then
	_note "check() skipped: options has !check"
else
	_note "check() skipped: cross-compiling ($CBUILD -> $CHOST), as abuild does"
fi

mkdir -p "$pkgdir"
_phase package

# Split functions run in order with cwd $pkgdir; provides and install_if are
# reset before each.
_packages=$pkgname
for _sp in $subpackages; do
	subpkgname=${_sp%%:*}
	_func=${_sp#*:}
	[ "$_func" = "$_sp" ] && _func=${subpkgname##*-}
	_func=${_func%%:*}
	subpkgdir=$pkgbasedir/$subpkgname
	mkdir -p "$subpkgdir"
	provides=
	install_if=
	(
		cd "$pkgdir"
		set -e
		"$_func"
		echo "meta $subpkgname install_if: $install_if" >"$tmpdir/meta-$subpkgname"
	) >"$tmpdir/split-$subpkgname.log" 2>&1
	if [ $? -eq 0 ]; then
		_pass "split $subpkgname ($_func)"
	else
		cat "$tmpdir/split-$subpkgname.log"
		_die "split function $_func for $subpkgname failed"
	fi
	_packages="$_packages $subpkgname"
done
subpkgname=
subpkgdir=

# --- postcheck (abuild's postcheck, a subset) --------------------------------

_postcheck() {
	_pkg=$1
	_dir=$pkgbasedir/$_pkg
	_errs=0
	for _d in srv usr/local opt tmp var/tmp var/lock var/empty home sys proc mnt dev lib64 usr/lib64; do
		if [ -e "$_dir/$_d" ]; then
			_fail "$_pkg: /$_d must not be in a package"
			_errs=1
		fi
	done
	for _d in bin sbin lib; do
		if [ -e "$_dir/$_d" ]; then
			_fail "$_pkg: /$_d (usrmerge: install under /usr)"
			_errs=1
		fi
	done
	case $_pkg in
	*-openrc) ;;
	*)
		if [ -e "$_dir/etc/init.d" ] || [ -e "$_dir/etc/conf.d" ]; then
			_fail "$_pkg: OpenRC files outside the -openrc package"
			_errs=1
		fi
		;;
	esac
	case $_pkg in
	*-doc) ;;
	*)
		if [ -e "$_dir/usr/share/man" ] || [ -e "$_dir/usr/share/doc" ]; then
			_fail "$_pkg: documentation outside the -doc package"
			_errs=1
		fi
		;;
	esac
	if [ -d "$_dir/etc/init.d" ]; then
		for _f in "$_dir"/etc/init.d/*; do
			[ -x "$_f" ] || { _fail "$_pkg: ${_f#"$_dir"} is not executable"; _errs=1; }
		done
	fi
	if [ -d "$_dir/etc/conf.d" ]; then
		for _f in "$_dir"/etc/conf.d/*; do
			[ -x "$_f" ] && { _fail "$_pkg: ${_f#"$_dir"} is executable"; _errs=1; }
		done
	fi
	_list=$(find "$_dir" -path '*/share/man/*' -type f ! -name '*.gz')
	if [ -n "$_list" ]; then
		_fail "$_pkg: uncompressed man pages: $_list"
		_errs=1
	fi
	if ! options_has suid && [ -n "$(find "$_dir" -perm -4000 -o -perm -2000)" ]; then
		_fail "$_pkg: setuid or setgid files without options=suid"
		_errs=1
	fi
	if [ -n "$(find "$_dir" -type d -perm -0002)" ]; then
		_fail "$_pkg: world-writable directories"
		_errs=1
	fi
	_elfs=0
	for _f in $(find "$_dir" -type f); do
		case $(file -b "$_f") in ELF*) ;; *) continue ;; esac
		_elfs=$((_elfs + 1))
		if ! options_has "!strip"; then
			"$_strip" "$_f" || { _fail "$_pkg: $_strip ${_f#"$_dir"} failed"; _errs=1; }
		fi
		_what=$(file -b "$_f")
		case $_what in
		*"statically linked"*) ;;
		*) _fail "$_pkg: ${_f#"$_dir"} is not statically linked: $_what"; _errs=1 ;;
		esac
		case $_what in
		*"$_file_arch"*) ;;
		*) _fail "$_pkg: ${_f#"$_dir"} is not built for $CARCH: $_what"; _errs=1 ;;
		esac
		# Raspberry Pi 5 kernels use 16 KiB pages and cannot map segments
		# aligned to less.
		if [ "$CARCH" = aarch64 ]; then
			_align=$(readelf -lW "$_f" | awk '$1 == "LOAD" { print $NF }' | sort -u | head -n 1)
			if [ $((_align)) -lt 16384 ]; then
				_fail "$_pkg: ${_f#"$_dir"} has LOAD segments aligned to $_align, below 16 KiB"
				_errs=1
			fi
		fi
		_note "$_pkg: ${_f#"$_dir"} $(wc -c <"$_f") bytes: $_what"
	done
	case $_pkg in
	*-doc|*-openrc) ;;
	*)
		if [ $_elfs -eq 0 ]; then
			_fail "$_pkg: an arch-specific package without ELF files"
			_errs=1
		fi
		;;
	esac
	[ $_errs = 1 ] || _pass "postcheck $_pkg"
}
for _p in $_packages; do
	_postcheck "$_p"
done

# --- fake OpenRC: source conf.d and init.d with a stub depend() --------------

_openrc_dump() {
	_dir=$pkgbasedir/$pkgname-openrc
	[ -d "$_dir/etc/init.d" ] || return 0
	for _f in "$_dir"/etc/init.d/*; do
		_svc=${_f##*/}
		(
			_deps=
			need() { _deps="$_deps; need $*"; }
			use() { _deps="$_deps; use $*"; }
			after() { _deps="$_deps; after $*"; }
			before() { _deps="$_deps; before $*"; }
			provide() { _deps="$_deps; provide $*"; }
			keyword() { _deps="$_deps; keyword $*"; }
			want() { _deps="$_deps; want $*"; }
			RC_SVCNAME=$_svc
			# OpenRC reads /etc/conf.d/NAME before the script.
			# shellcheck disable=SC1090
			[ -f "$_dir/etc/conf.d/$_svc" ] && . "$_dir/etc/conf.d/$_svc"
			# shellcheck disable=SC1090
			. "$_f"
			depend
			echo "openrc $_svc depend: ${_deps#; }"
			echo "openrc $_svc command: $command"
			# shellcheck disable=SC2086 # collapse the blanks of unset variables
			echo "openrc $_svc command_args:" "$(printf '%s ' $command_args | sed 's/ $//')"
			echo "openrc $_svc pidfile: $pidfile"
			echo "openrc $_svc command_background: $command_background"
			echo "openrc $_svc extra_commands: $extra_commands"
			echo "openrc $_svc extra_started_commands: $extra_started_commands"
			# start_pre checks the shipped default config with the built
			# binary; it runs only natively (cross binaries need qemu).
			command -v start_pre >/dev/null || return 0
			if [ "$CBUILD" != "$CHOST" ]; then
				echo "openrc $_svc start_pre: not run when cross-compiling"
				return 0
			fi
			checkpath() { :; }
			ebegin() { :; }
			eend() { return "$1"; }
			eerror() { echo "eerror: $*"; }
			yesno() { case $1 in [Yy][Ee][Ss]|1|[Tt][Rr][Uu][Ee]|[Oo][Nn]) return 0 ;; esac; return 1; }
			command=$pkgbasedir/$pkgname$command
			cfgfile=$pkgbasedir/$pkgname$cfgfile
			if start_pre >"$tmpdir/start_pre-$_svc.log" 2>&1; then
				echo "openrc $_svc start_pre: ok"
			else
				echo "openrc $_svc start_pre: failed: $(head -n 3 "$tmpdir/start_pre-$_svc.log")"
			fi
		)
	done
}
_openrc_dump >"$tmpdir/openrc.txt" 2>&1
cat "$tmpdir/openrc.txt"
_errs=0
while read -r _ _svc _key _val; do
	[ "$_key" = "command:" ] || continue
	_shipped=0
	for _p in $_packages; do
		[ -e "$pkgbasedir/$_p$_val" ] || [ -L "$pkgbasedir/$_p$_val" ] && _shipped=1
	done
	if [ $_shipped = 0 ]; then
		_fail "openrc $_svc: command $_val is not in any package"
		_errs=1
	fi
	case $_svc in
	ntpd|dnsd) _fail "openrc: service $_svc clashes with busybox-openrc's"; _errs=1 ;;
	esac
done <"$tmpdir/openrc.txt"
if grep -q '^openrc [^ ]* start_pre: failed' "$tmpdir/openrc.txt"; then
	_fail "openrc: start_pre failed on the shipped config (above)"
	_errs=1
fi
[ $_errs = 1 ] || _pass "OpenRC scripts source cleanly and their commands are shipped"

# --- file list ---------------------------------------------------------------

# "<package> <path> <mode>" per file, "<package> <path> -> <target>" per link,
# like apk info -L with modes.  Sizes are left out so the list stays valid as
# the code grows.
_file_list() {
	for _p in $_packages; do
		(cd "$pkgbasedir/$_p" && find . ! -type d | sed 's,^\.,,' | LC_ALL=C sort) |
		while read -r _f; do
			if [ -L "$pkgbasedir/$_p$_f" ]; then
				echo "$_p $_f -> $(readlink "$pkgbasedir/$_p$_f")"
			else
				echo "$_p $_f $(stat -c %a "$pkgbasedir/$_p$_f")"
			fi
		done
	done
	# shellcheck disable=SC2086
	echo "meta $pkgname depends:" "$(printf '%s ' $depends | sed 's/ $//')"
	for _p in $_packages; do
		[ -f "$tmpdir/meta-$_p" ] && cat "$tmpdir/meta-$_p"
	done
	grep -E '^openrc [^ ]+ (depend|command|command_args|pidfile):' "$tmpdir/openrc.txt"
}
_file_list >"$tmpdir/files.txt"
if [ -n "$_expected" ]; then
	if diff -u "$_expected" "$tmpdir/files.txt" >"$tmpdir/files.diff"; then
		_pass "file list matches ${_expected#"$_top"/}"
	else
		cat "$tmpdir/files.diff"
		_fail "file list differs from ${_expected#"$_top"/} (diff above)"
	fi
else
	cat "$tmpdir/files.txt"
fi

if [ -n "$pkgusers" ]; then
	for _u in $pkgusers; do
		id "$_u" >/dev/null 2>&1 || _note "pkguser $_u does not exist on this build host (abuild would create it; package() here does not need it)"
	done
fi

echo "apkbuild: $_passed passed, $_failed failed"
[ $_failed -eq 0 ]
