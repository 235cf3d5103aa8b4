# aarch64-linux-gnu.cmake: the CMake toolchain file of the linux-arm64
# build (packaging/build.sh linux-arm64), with Debian's cross compiler
# (gcc-aarch64-linux-gnu) and Debian's :arm64 libraries, installed beside
# the machine's own through multiarch (packaging/README.md).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# find_library looks in /usr/lib/aarch64-linux-gnu, never in the
# machine's own /usr/lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config reads the :arm64 packages' .pc files, and libpq.pc and
# libmicrohttpd.pc from here: godwit loads both libraries with dlopen
# (src/drivers/pq.h, src/cli/mhd.h) and needs only their headers, the
# machine's, the same for both architectures (LP64). Debian 12's
# libpq-dev cannot even be installed for two architectures at once (it
# is not Multi-Arch: same); libmicrohttpd-dev:arm64 could, with GnuTLS's
# -dev packages, for nothing. (libcurl, loaded so too, comes from
# libcurl4-openssl-dev:arm64: Debian puts its header in the folder of
# each architecture.)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig:${CMAKE_CURRENT_LIST_DIR}")
set(ENV{PKG_CONFIG_PATH} "")
# The build runs the built binary once, to write the manual pages and
# completions (packaging/gen-docs.sh): through qemu's user-mode emulator,
# with Debian's arm64 glibc (libc6:arm64).
find_program(GW_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${GW_QEMU_AARCH64})
