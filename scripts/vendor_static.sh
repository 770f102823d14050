#!/usr/bin/env bash
# Rebuild khuyencong/static/vendor/ from the npm registry, with pinned versions.
#
# Why: users may be offline and the CSP allows 'self' only, so front-end
# libraries are served from our own static files, never from a CDN
# (see docs/adr/0003-vendored-frontend.md).
#
# How: `npm pack` each pinned tarball into a temp dir (never node_modules in the
# repo), check its sha512 integrity, extract it with tar, copy the minified
# dist files and licence files, strip `sourceMappingURL` comments (the .map
# files are not vendored and whitenoise's manifest storage fails on missing
# referenced files), check that nothing points outside the vendor dir, and
# write VERSIONS.txt with sha256 sums.
#
# Upgrade: change a *_VERSION below, empty its *_INTEGRITY, run the script,
# review the integrity it prints (`npm view PKG@VER dist.integrity`), paste it
# in, run again, test the pages, commit the result.
#
# Needs: bash, npm, node, tar, python3, sha256sum.
set -euo pipefail

TABLER_VERSION=1.6.1     # @tabler/core, MIT; bundles Bootstrap and Popper
TABLER_INTEGRITY=sha512-lgmR9gcxRp5JlLxcmRi9Rz85JrEvH6Bz71KnlcPVSa97wtwQNjgSs3g3fxwbAlulHyRMghhIV04QUuW3pqDsIg==
HTMX_VERSION=2.0.11      # htmx.org, 0BSD
HTMX_INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
ECHARTS_VERSION=6.1.0    # echarts, Apache-2.0
ECHARTS_INTEGRITY=sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA==
# Licence files only: these are compiled into tabler.min.css / tabler.min.js.
# Keep them equal to what the Tabler release bundles (its banner / package.json).
BOOTSTRAP_VERSION=5.3.8  # MIT
BOOTSTRAP_INTEGRITY=sha512-HP1SZDqaLDPwsNiqRqi5NcP0SSXciX2s9E+RyqJIIqGo+vJeN5AJVM98CXmW/Wux0nQ5L7jeWUdplCEf0Ee+tg==
POPPER_VERSION=2.11.8    # @popperjs/core, MIT
POPPER_INTEGRITY=sha512-P1st0aksCrn9sGZhp8GMYwBnQsbvAWsZAX44oXNNvLHGqAOcoVxmjZiohstwQ7SqKnbR47akdNi+uleWD8+g6A==

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/khuyencong/static/vendor"
WORK=$(mktemp -d /tmp/vendor-npm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE"

die() { echo "vendor_static: $*" >&2; exit 1; }

# fetch SPEC INTEGRITY NAME -> extracts the tarball into $WORK/NAME/package
fetch() {
    local spec=$1 want=$2 name=$3 got file
    (cd "$WORK" && npm pack "$spec" --json --loglevel=error) > "$WORK/$name.json"
    got=$(node -p 'require(process.argv[1])[0].integrity' "$WORK/$name.json")
    file=$(node -p 'require(process.argv[1])[0].filename' "$WORK/$name.json")
    if [ -z "$want" ]; then
        echo "vendor_static: WARNING no pinned integrity for $spec; got $got" >&2
    elif [ "$got" != "$want" ]; then
        die "integrity mismatch for $spec: expected $want, got $got"
    fi
    mkdir -p "$WORK/$name"
    tar -xzf "$WORK/$file" -C "$WORK/$name"
    local ver
    ver=$(node -p 'require(process.argv[1]).version' "$WORK/$name/package/package.json")
    [ "$spec" = "${spec%@*}@$ver" ] || die "$spec: tarball has version $ver"
}

fetch "@tabler/core@$TABLER_VERSION" "$TABLER_INTEGRITY" tabler
fetch "htmx.org@$HTMX_VERSION" "$HTMX_INTEGRITY" htmx
fetch "echarts@$ECHARTS_VERSION" "$ECHARTS_INTEGRITY" echarts
fetch "bootstrap@$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY" bootstrap
fetch "@popperjs/core@$POPPER_VERSION" "$POPPER_INTEGRITY" popper

mkdir -p "$STAGE/tabler" "$STAGE/htmx" "$STAGE/echarts"

# --- @tabler/core --------------------------------------------------------
P="$WORK/tabler/package"
cp "$P/dist/css/tabler.min.css" "$STAGE/tabler/"
cp "$P/dist/js/tabler.min.js" "$STAGE/tabler/"
# The npm tarball of @tabler/core ships no LICENSE file; its package.json says
# MIT. Write the MIT text with the copyright line of the release's own banner.
[ "$(node -p 'require(process.argv[1]).license' "$P/package.json")" = MIT ] \
    || die "@tabler/core is no longer MIT: review before vendoring"
COPY=$(sed -n 's/^ *\* *\(Copyright [0-9-]* The Tabler Authors\) *$/\1/p' "$P/dist/css/tabler.min.css" | head -n1)
[ -n "$COPY" ] || die "no Tabler copyright line found in tabler.min.css banner"
cat > "$STAGE/tabler/LICENSE" <<EOF
The MIT License (MIT)

${COPY/Copyright/Copyright (c)}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF
# Bundled inside Tabler's CSS/JS: keep their MIT notices next to it.
cp "$WORK/bootstrap/package/LICENSE" "$STAGE/tabler/LICENSE.bootstrap"
cp "$WORK/popper/package/LICENSE.md" "$STAGE/tabler/LICENSE.popper"
grep -q "\"$BOOTSTRAP_VERSION\"" "$STAGE/tabler/tabler.min.js" \
    || die "tabler.min.js does not bundle Bootstrap $BOOTSTRAP_VERSION: update BOOTSTRAP_VERSION"

# --- htmx.org ------------------------------------------------------------
P="$WORK/htmx/package"
cp "$P/dist/htmx.min.js" "$P/LICENSE" "$STAGE/htmx/"

# --- echarts (Apache-2.0: LICENSE and NOTICE must travel with the file) ---
P="$WORK/echarts/package"
cp "$P/dist/echarts.min.js" "$P/LICENSE" "$P/NOTICE" "$STAGE/echarts/"
cp "$P/licenses/LICENSE-d3" "$STAGE/echarts/LICENSE-d3"

# --- strip source map comments, then check for outside references --------
python3 - "$STAGE" <<'PY'
import pathlib, re, sys

stage = pathlib.Path(sys.argv[1])
css_map = re.compile(r"\n?/\*[#@][ \t]*sourceMappingURL=[^*]*\*/[ \t]*")
js_map = re.compile(r"(?m)\n?^[ \t]*//[#@][ \t]*sourceMappingURL=.*$")
css_url = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.S)
errors = []
for f in sorted(stage.rglob("*")):
    if f.suffix not in (".css", ".js"):
        continue
    raw = f.read_text(encoding="utf-8")
    text = (css_map if f.suffix == ".css" else js_map).sub("", raw)
    if text != raw:  # leave untouched files byte-identical to upstream
        f.write_text(text, encoding="utf-8")
    rel = f.relative_to(stage)
    if "sourceMappingURL" in text:
        errors.append(f"{rel}: sourceMappingURL left")
    if f.suffix == ".css":
        if re.search(r"@import\b", text):
            errors.append(f"{rel}: @import")
        for m in css_url.finditer(text):
            target = m.group(2).strip()
            if target.startswith("data:") or target.startswith("#"):
                continue
            local = (f.parent / target.split("?")[0].split("#")[0]).resolve()
            if re.match(r"^[a-z]+:|^//", target) or not local.is_file():
                errors.append(f"{rel}: url({target[:80]}) is not a vendored file")
if errors:
    sys.exit("vendor_static: " + "\n".join(errors))
PY

# --- VERSIONS.txt ----------------------------------------------------------
{
    echo "# Vendored front-end files. Generated by scripts/vendor_static.sh: do not edit by hand."
    echo "# Source: npm registry tarballs (npm pack), checked against the pinned sha512 integrity."
    echo "# Changed from upstream: the trailing source map comment of tabler.min.css and"
    echo "# tabler.min.js is removed (.map files are not vendored). Everything else is byte-identical."
    echo "# @tabler/core's tarball has no LICENSE file: tabler/LICENSE is the MIT text (package.json"
    echo "# \"license\": \"MIT\") with the copyright line of the release banner. Bootstrap $BOOTSTRAP_VERSION and"
    echo "# @popperjs/core $POPPER_VERSION are compiled into Tabler; their licences are LICENSE.bootstrap/.popper."
    echo "# Verify: awk '!/^#/ && NF {print \$4\"  \"\$5}' VERSIONS.txt | sha256sum -c"
    echo "#"
    echo "# package version licence sha256 file"
    row() { # package version licence file...
        local pkg=$1 ver=$2 lic=$3 f; shift 3
        for f in "$@"; do
            echo "$pkg $ver $lic $(sha256sum "$STAGE/$f" | cut -d' ' -f1) $f"
        done
    }
    row @tabler/core "$TABLER_VERSION" MIT tabler/tabler.min.css tabler/tabler.min.js tabler/LICENSE
    row bootstrap "$BOOTSTRAP_VERSION" MIT tabler/LICENSE.bootstrap
    row @popperjs/core "$POPPER_VERSION" MIT tabler/LICENSE.popper
    row htmx.org "$HTMX_VERSION" 0BSD htmx/htmx.min.js htmx/LICENSE
    row echarts "$ECHARTS_VERSION" Apache-2.0 echarts/echarts.min.js echarts/LICENSE echarts/NOTICE
    row echarts "$ECHARTS_VERSION" BSD-3-Clause echarts/LICENSE-d3
} > "$STAGE/VERSIONS.txt"

# Every staged file must be listed (nothing unaccounted for is shipped).
( cd "$STAGE" && find . -type f ! -name VERSIONS.txt | sed 's|^\./||' | sort ) > "$WORK/files"
awk '!/^#/ && NF {print $5}' "$STAGE/VERSIONS.txt" | sort > "$WORK/listed"
diff -u "$WORK/listed" "$WORK/files" || die "VERSIONS.txt and staged files differ"

rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$STAGE" "$DEST"
echo "vendor_static: wrote $DEST"
( cd "$DEST" && find . -type f | sort | xargs ls -l | awk '{printf "%10d  %s\n", $5, $9}' )
