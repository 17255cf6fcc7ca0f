#!/usr/bin/env bash
# Fetches real documentation sets from Debian packages into bench/.corpora/<package>/ (once):
# the HTML manuals generators really produce (DocBook, Sphinx, Javadoc, Doxygen, MkDocs), which
# generated corpora do not resemble. Needs apt (`apt-get update` first on a fresh machine); nothing
# is installed. The sets bench/fidelity uses (bench/fidelity/sets.ts):
#
#   bash bench/corpora/debian-docs.sh postgresql-doc-15 python3.11-doc libcommons-lang3-java-doc libjsoncpp-doc mkdocs-doc
#
# Prints the folder of each set's HTML.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .corpora
for package in "$@"; do
  dir=".corpora/$package"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "$package" >/dev/null && dpkg-deb -x ./*.deb root && rm ./*.deb)
    touch "$dir/.complete"
  fi
  # The set's top folder: the shallowest one with an index.html.
  html=$(find "$dir/root/usr/share/doc" -name index.html -printf '%d %h\n' | sort -n | head -1 | cut -d' ' -f2-)
  echo "$(pwd)/$html"
done
