# Stand-in for gcr.io/distroless/python3-debian12 (built by ./distroless-python, which
# puts this file and the host's CA bundle, as ca.crt, into a temporary build context).
#
# The real image is assembled by Bazel from the data.tar of a fixed list of Debian 12
# packages (python3/config.bzl + cc/ + base/ in GoogleContainerTools/distroless); no
# maintainer scripts run, so there is no shell, no dpkg database and no .pyc files.
# Here: install the same packages in debian:12-slim, copy the files `dpkg -L` lists for
# them into /rootfs (docs, man pages and lintian data dropped; copyright files kept),
# close the set of shared libraries with ldd, then `FROM scratch` + one COPY.

FROM debian:12-slim AS build
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]

# static (base-files netbase tzdata) + base (libc6 libssl3) + cc + python3, for debian12
ARG PACKAGES="base-files netbase tzdata \
  libc6 libssl3 \
  libgomp1 libstdc++6 libgcc-s1 gcc-12-base \
  libbz2-1.0 libdb5.3 libexpat1 liblzma5 libsqlite3-0 libuuid1 libncursesw6 libtinfo6 \
  python3-distutils zlib1g libcom-err2 libcrypt1 libgssapi-krb5-2 libk5crypto3 \
  libkeyutils1 libkrb5-3 libkrb5support0 libnsl2 libreadline8 libtirpc3 libffi8 \
  libpython3.11-minimal libpython3.11-stdlib python3.11-minimal"

RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null \
 && rm -rf /var/lib/apt/lists/*

RUN R=/rootfs; declare -A canon; \
    # merged /usr, like debian:12-slim (the loader is /lib64/ld-linux-x86-64.so.2)
    mkdir -p $R/usr/bin $R/usr/sbin $R/usr/lib/x86_64-linux-gnu $R/usr/lib64 $R/etc/ssl/certs; \
    for d in bin sbin lib lib64; do ln -s usr/$d $R/$d; done; \
    # copy one path, resolving symlinks in its directory part (so /lib/x -> /usr/lib/x)
    put() { local p=$1 d=${1%/*} b=${1##*/}; d=${d:-/}; \
      [ -n "${canon[$d]:-}" ] || canon[$d]=$(readlink -f "$d"); d=${canon[$d]%/}; \
      local s=$d/$b t=$R$d/$b; \
      if [ -L "$s" ]; then [ -e "$t" ] || [ -L "$t" ] || { mkdir -p "$R$d"; cp -a "$s" "$t"; }; \
      elif [ -d "$s" ]; then mkdir -p "$t"; chmod --reference="$s" "$t"; chown --reference="$s" "$t"; \
      elif [ -e "$s" ]; then mkdir -p "$R$d"; cp -a "$s" "$t"; fi; }; \
    for pkg in $PACKAGES; do dpkg -L "$pkg"; done | grep '^/' | sort -u \
      | grep -Ev '^/usr/share/(doc|man|info|lintian|bug|gdb|gcc|doc-base)(/|$)' > /tmp/files; \
    while read -r p; do put "$p"; done < /tmp/files; \
    for pkg in $PACKAGES; do f=/usr/share/doc/$pkg/copyright; \
      [ -f "$f" ] && mkdir -p $R/usr/share/doc/$pkg && cp -L "$f" $R/usr/share/doc/$pkg/; done; \
    # the C.UTF-8 locale (distroless takes it from libc-bin)
    mkdir -p $R/usr/lib/locale; cp -a /usr/lib/locale/C.utf8 $R/usr/lib/locale/; \
    # close the shared-library set: python3.11, lib-dynload and every library copied so far
    for pass in 1 2 3; do added=0; \
      while read -r lib; do \
        for q in "$lib" "$(readlink -f "$lib")"; do \
          if [ ! -e "$R$(readlink -f "$q")" ]; then put "$q"; put "$(readlink -f "$q")"; added=1; echo "ldd added $q"; fi; \
        done; \
      done < <(find $R/usr/bin/python3.11 $R/usr/lib/python3.11/lib-dynload $R/usr/lib/x86_64-linux-gnu \
                 -name 'python3.11' -o -name '*.so*' -type f | sed "s|^$R||" \
               | xargs -r ldd 2>/dev/null | grep -oE '(=> )?/[^ ]+ \(0x' | sed -E 's/^=> //; s/ \(0x$//' | sort -u); \
      [ $added = 0 ] && break; done; \
    if find $R/usr/bin/python3.11 $R/usr/lib/python3.11/lib-dynload -name 'python3.11' -o -name '*.so' -type f \
         | sed "s|^$R||" | xargs ldd 2>&1 | grep 'not found'; then echo 'unresolved libraries' >&2; exit 1; fi; \
    # what the distroless image adds on top of the packages
    ln -s /usr/bin/python3.11 $R/usr/bin/python3; ln -s /usr/bin/python3.11 $R/usr/bin/python; \
    mkdir -p $R/usr/lib/python3/dist-packages $R/usr/local/bin $R/usr/local/lib; \
    printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > $R/etc/passwd; \
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' > $R/etc/group; \
    rm -f $R/etc/os-release; \
    printf '%s\n' 'PRETTY_NAME="Distroless"' 'NAME="Debian GNU/Linux"' 'ID="debian"' 'VERSION_ID="12"' \
      'VERSION="Debian GNU/Linux 12 (bookworm)"' 'HOME_URL="https://github.com/GoogleContainerTools/distroless"' \
      'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"' \
      'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"' > $R/etc/os-release; \
    cp /etc/nsswitch.conf $R/etc/nsswitch.conf; \
    install -d -m 0700 -o 0 -g 0 $R/root; install -d -m 0755 $R/home; \
    install -d -m 0700 -o 65532 -g 65532 $R/home/nonroot; install -d -m 1777 $R/tmp; \
    # no shell, no coreutils: fail the build if anything of the sort slipped in
    for x in sh bash dash busybox ls cat env; do \
      if [ -e $R/usr/bin/$x ] || [ -e $R/usr/sbin/$x ]; then echo "unexpected /usr/bin/$x" >&2; exit 1; fi; done

# this machine's CA bundle, as the sandbox's other stand-ins carry it (see docker-sandbox/setup)
COPY ca.crt /rootfs/etc/ssl/certs/ca-certificates.crt

FROM scratch AS root
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    LANG=C.UTF-8
USER 0
WORKDIR /
ENTRYPOINT ["/usr/bin/python3.11"]

FROM root AS nonroot
USER 65532
WORKDIR /home/nonroot
