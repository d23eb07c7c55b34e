#!/bin/sh
# The Alpine package: builds alpine-pkg/APKBUILD from `make dist` with the
# APKBUILD harness (abuild's environment and phases, check() included) and
# compares the packages' file list with tests/pkg/files.txt.
if [ "$SANITIZE" = 1 ]; then
	echo "090-apkbuild: the package build is static, skipped under SANITIZE=1"
	exit 77
fi
case $(cc -dumpmachine 2>/dev/null) in
*musl*) ;;
*)
	if ! command -v musl-gcc >/dev/null 2>&1; then
		echo "090-apkbuild: musl-gcc not found (apt-get install musl-tools)"
		exit 77
	fi
	;;
esac
if ! command -v git >/dev/null 2>&1 || ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "090-apkbuild: make dist needs a git work tree"
	exit 77
fi
if ! make -s dist >/dev/null; then
	echo "FAIL: make dist"
	exit 1
fi
sh=sh
command -v busybox >/dev/null 2>&1 && sh="busybox sh"
$sh tests/pkg/apkbuild-harness.sh -d build -t -e tests/pkg/files.txt alpine-pkg
