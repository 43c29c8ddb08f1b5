#!/usr/bin/env bash
# Issue 16: the Debian package. Builds it with `cpack -G DEB` from the build folder, checks what
# it holds and depends on, installs it with dpkg -i, runs both programs from PATH on data/sample
# (the indexer with no --data, so the installed data is what it reads), finds the man pages,
# removes it and checks the programs are gone. Needs root (dpkg -i into the system, as CI runs);
# as another user it exits 77, which CTest reports as skipped with the reason below.
# Usage: package_test.sh SOURCE_DIR BINARY_DIR INDEX_BIN SEARCH_BIN
# (INDEX_BIN and SEARCH_BIN: the build folder's programs, whose answers the installed ones must
# give.)
set -euo pipefail

readonly source_dir=$1 binary_dir=$2 build_index=$3 build_search=$4
readonly package=speechdex
# A phrase data/sample holds (in all five files), and the topic this test adds to the installed
# taxonomy to prove that the installed programs read the installed data.
readonly phrase=依法行政 probe_topic=package_probe

fail() {
  echo "package_test: FAIL: $*" >&2
  exit 1
}

if [[ $(id -u) -ne 0 ]]; then
  echo "package_test: SKIPPED: installing the .deb (dpkg -i into /usr) needs root; run" \
    "ctest as root (CI does) to check the package" >&2
  exit 77
fi
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps installs it)"
done

installed() { dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; }

# dpkg takes a lock; another dpkg or apt run on the machine holds it for a while at most.
dpkg_locked() {
  local out status=0 tries=0
  while :; do
    out=$("$@" 2>&1) || status=$?
    if ((status != 0)) && grep -qi "lock" <<<"$out" && ((tries++ < 60)); then
      status=0
      sleep 2
      continue
    fi
    printf '%s\n' "$out"
    return "$status"
  done
}

work=$(mktemp -d)
we_installed=0
cleanup() {
  local status=$?
  if ((we_installed)) && installed; then
    dpkg_locked dpkg -r "$package" >/dev/null || echo "package_test: could not remove $package" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# An earlier run (or a person) may have left the package installed: remove it first, so what is
# checked below is this build's package.
if installed; then
  echo "package_test: removing the $package package already installed" >&2
  dpkg_locked dpkg -r "$package" >/dev/null
fi

# 1. Build the package, from what `cmake --install` installs.
cpack -G DEB -B "$work/package" --config "$binary_dir/CPackConfig.cmake" >"$work/cpack.log" 2>&1 ||
  {
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB failed"
  }
debs=("$work"/package/"$package"_*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f ${debs[0]} ]]; then
  fail "cpack made no single ${package}_*.deb: ${debs[*]}"
fi
deb=${debs[0]}
echo "package_test: built $(basename "$deb")"

# 2. What it holds: exactly the programs, the indexer's data and the man pages, under /usr;
# no tests, benchmarks, gtest or sample corpus.
expected="./usr/bin/speechdex-index
./usr/bin/speechdex-search
./usr/share/doc/speechdex/README.data.md
./usr/share/man/man1/speechdex-index.1
./usr/share/man/man1/speechdex-search.1
./usr/share/speechdex/admin-divisions.tsv
./usr/share/speechdex/county-aliases.tsv
./usr/share/speechdex/county-stem-words.tsv
./usr/share/speechdex/topics.tsv"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' | sort)
[[ $files == "$expected" ]] ||
  fail "the package's files are not the expected ones:"$'\n'"$(diff <(echo "$expected") <(echo "$files"))"
version=$(sed -n 's/^project(speechdex VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] ||
  fail "Version $(dpkg-deb -f "$deb" Version), project(VERSION) $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "package_test: Depends: $depends"
# dpkg-shlibdeps names the packages of the libraries the programs link; these must be there.
for dep in libc6 libstdc++6 libxapian30 libicu72 libzip4 libxml2 libpoppler-cpp0v5; do
  [[ ", $depends," == *", $dep "* || ", $depends," == *", $dep,"* ]] ||
    fail "Depends does not name $dep: $depends"
done

# 3. Install it.
dpkg_locked dpkg -i "$deb" >"$work/dpkg.log" || {
  cat "$work/dpkg.log" >&2
  fail "dpkg -i failed"
}
we_installed=1
installed || fail "dpkg -i returned 0 but $package is not installed"
hash -r
for program in speechdex-index speechdex-search; do
  [[ $(command -v "$program") == /usr/bin/$program ]] ||
    fail "$program on PATH is '$(command -v "$program" || true)', not /usr/bin/$program"
done
[[ -f /usr/share/speechdex/admin-divisions.tsv ]] || fail "no /usr/share/speechdex/admin-divisions.tsv"

# 4. Run both programs from PATH on the sample corpus, the indexer without --data.
cd "$work"
speechdex-index --db installed.db "$source_dir/data/sample" >index.log 2>&1 || {
  cat index.log >&2
  fail "the installed speechdex-index failed on data/sample"
}
"$build_index" --db build.db "$source_dir/data/sample" >build-index.log 2>&1 || {
  cat build-index.log >&2
  fail "the build folder's speechdex-index failed on data/sample"
}
# The paragraph count of a search, or the error that stopped it.
count() { "$1" --db "$2" --count "${@:3}" 2>&1 || true; }
installed_count=$(count speechdex-search installed.db "$phrase")
build_count=$(count "$build_search" build.db "$phrase")
echo "package_test: $phrase: installed $installed_count, build folder $build_count paragraphs"
if [[ ! $installed_count =~ ^[0-9]+$ ]] || ((installed_count == 0)); then
  fail "the installed speechdex-search found no $phrase in data/sample: '$installed_count'"
fi
[[ $installed_count == "$build_count" ]] ||
  fail "installed and build-folder programs disagree on $phrase: $installed_count vs $build_count"
installed_hits=$({ speechdex-search --db installed.db --format json --limit 1000 "$phrase" || true; } | wc -l)
((installed_hits == installed_count)) ||
  fail "--format json printed $installed_hits hits, --count said $installed_count"

# The installed indexer read /usr/share/speechdex, not the source tree's data/ it was built
# beside (which still exists here): a topic added to the installed taxonomy only is found.
printf '%s\t%s\t%s\n' "$probe_topic" 包检查 "$phrase" >>/usr/share/speechdex/topics.tsv
speechdex-index --db probe.db "$source_dir/data/sample" >probe-index.log 2>&1 || {
  cat probe-index.log >&2
  fail "the installed speechdex-index failed with the probe topic"
}
probe_count=$(count speechdex-search probe.db --topic "$probe_topic" "$phrase")
if [[ ! $probe_count =~ ^[0-9]+$ ]] || ((probe_count == 0)); then
  fail "the installed speechdex-index did not read /usr/share/speechdex/topics.tsv (topic" \
    "$probe_topic: $probe_count)"
fi
echo "package_test: topic $probe_topic from the installed taxonomy: $probe_count paragraphs"

# 5. The man pages, where man finds them.
for program in speechdex-index speechdex-search; do
  page=/usr/share/man/man1/$program.1
  [[ -f $page ]] || fail "no $page (a dpkg path-exclude for /usr/share/man?)"
  if command -v man >/dev/null; then
    [[ $(man -w "$program") == "$page" ]] || fail "man -w $program: '$(man -w "$program")'"
  fi
done
grep -q "share/speechdex" /usr/share/man/man1/speechdex-index.1 ||
  fail "the man page of speechdex-index does not say where the installed data is"
if grep -q "$source_dir" /usr/share/man/man1/*speechdex*.1; then
  fail "an installed man page names the source tree $source_dir"
fi

# 6. Remove it: the programs and the data are gone.
dpkg_locked dpkg -r "$package" >"$work/dpkg.log" || {
  cat "$work/dpkg.log" >&2
  fail "dpkg -r failed"
}
we_installed=0
for path in /usr/bin/speechdex-index /usr/bin/speechdex-search /usr/share/speechdex; do
  [[ ! -e $path ]] || fail "$path is still there after dpkg -r"
done
hash -r
[[ $(command -v speechdex-index || true) != /usr/bin/speechdex-index ]] ||
  fail "speechdex-index still on PATH after dpkg -r"
echo "package_test: OK"
