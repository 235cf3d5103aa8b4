#!/bin/bash
# install.sh: the GitHub Action's step (action.yml). Downloads
# $GODWIT_BASE_URL/v$GODWIT_VERSION/godwit-$GODWIT_VERSION-PLATFORM.tar.gz
# for the runner's platform into $RUNNER_TEMP, and adds its bin/ to
# $GITHUB_PATH (the folder goes to the step's output `path`).
set -euo pipefail
: "${GODWIT_VERSION:?set the version to install}"
: "${GODWIT_BASE_URL:?set the base URL of the release tarballs}"
case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
Linux/X64 | Linux/x86_64) platform=linux-x64 ;;
Linux/ARM64 | Linux/aarch64) platform=linux-arm64 ;;
*)
	echo "::error::godwit has no release for ${RUNNER_OS:-$(uname -s)} on ${RUNNER_ARCH:-$(uname -m)}; use a Linux runner (x86-64 or arm64)" >&2
	exit 1
	;;
esac
name=godwit-$GODWIT_VERSION-$platform
url=$GODWIT_BASE_URL/v$GODWIT_VERSION/$name.tar.gz
dest=${RUNNER_TEMP:-/tmp}/godwit-action
rm -rf "$dest" && mkdir -p "$dest"
echo "godwit: downloading $url"
curl --fail --silent --show-error --location --retry 3 "$url" -o "$dest/$name.tar.gz"
tar -C "$dest" -xzf "$dest/$name.tar.gz"
"$dest/$name/bin/godwit" version
echo "$dest/$name/bin" >>"${GITHUB_PATH:?}"
echo "path=$dest/$name" >>"${GITHUB_OUTPUT:-/dev/null}"
