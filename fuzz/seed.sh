#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's own Markdown and the
# rule engine's table of real-world links. Safe to run again.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/front_matter corpus/markdown corpus/links
n=0
find ../example-site/content ../tests/fixtures ../scaffold -name '*.md' -type f | sort | while read -r file; do
    n=$((n + 1))
    cp "$file" "corpus/front_matter/seed-$n"
    # The first byte picks the link policy and slug mode.
    { printf '\000'; cat "$file"; } > "corpus/markdown/seed-$n"
    { printf '\001'; cat "$file"; } > "corpus/markdown/seed-$n-shop"
    # As a post's body: Hexo's and Jekyll's tags and Liquid logic first.
    { printf '\020'; cat "$file"; } > "corpus/markdown/seed-$n-post"
done
# Every quoted URL-looking string in the engine's table tests.
grep -o '"[a-zA-Z/\\#?][^"]*"' ../src/links/rewrite/tests.rs | sed 's/^"//; s/"$//' | sort -u | while read -r url; do
    n=$((n + 1))
    printf '\000%s' "$url" > "corpus/links/seed-$n"
    printf '\003%s' "$url" > "corpus/links/seed-$n-noamazon"
done
