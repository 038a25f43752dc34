#!/usr/bin/env bash
# Make sure a headless Chromium-family browser is available for the PDF packs.
# Found (KIT_BROWSER, chromium, chrome, edge): nothing to do. Debian/Ubuntu as root: install
# Debian's chromium with apt. Otherwise: say how to get one; the HTML packs are still produced.
set -u
python=${1:-python3}
if found=$("$python" -c 'from kit.browser import find_browser; print(find_browser())' 2>/dev/null); then
  echo "Browser for PDFs: $found"
  exit 0
fi
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "No Chromium-family browser found: installing Debian's chromium (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
    && echo "Installed: $(command -v chromium)" && exit 0
  echo "apt-get could not install chromium; PDFs will be skipped, HTML packs are still made." >&2
  exit 0
fi
"$python" -c 'from kit.browser import browser_help; print(browser_help())' >&2
exit 0
