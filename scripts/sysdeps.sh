#!/usr/bin/env bash
# Install the Debian packages the project needs, only those missing.
#   scripts/sysdeps.sh run    CJK fonts (PDF rendering, seals)
#   scripts/sysdeps.sh test   + Chromium for the browser tests
#   scripts/sysdeps.sh ci     + PostgreSQL and Redis servers for the scale-out suite
set -euo pipefail
profile=${1:-run}
pkgs=(fonts-cwtex-fs fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fontconfig)
case "$profile" in
  test) pkgs+=(chromium) ;;
  ci) pkgs+=(chromium postgresql redis-server) ;;
  run) ;;
  *) echo "unknown profile: $profile" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "安装系统软件包: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "缺少系统软件包 ${missing[*]}，请以 root 身份安装后重试。" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
