#!/usr/bin/env bash
# Writes to stdout a rootfs tar made of the host's busybox-static binary with
# every applet linked, plus the few files a container expects.
set -euo pipefail
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "busybox-static is not installed" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,root,home,var/www,proc,sys,dev,usr/bin,usr/sbin,sbin}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nnogroup:x:65534:\n' > "$root/etc/group"
tar --numeric-owner --owner=0 --group=0 --mtime='2024-01-01 00:00:00' --sort=name -C "$root" -cf - .
