#!/bin/bash
# Runs each built-in plugin through prism-host's plugin driver
# (build/prism-run-plugin) under valgrind memcheck over a subset of the
# photo corpus (bench/corpus.sh builds build/corpus): the JPEG variants
# (CMYK, grey, progressive, EXIF orientation 6), the RGB PNG and the two
# smallest mate-*.jpg photos.  One valgrind process per plugin, all images
# in it; outputs go to a temporary directory that is removed afterwards.
#
# Prints one line per plugin: images, valgrind errors, seconds; the full
# valgrind log of a failing plugin is printed too.  Exits 0 when every
# plugin processed every image with no valgrind error (definite or
# indirect leaks count as errors), 1 otherwise, 2 when something needed
# is missing.
#
# JSIMD_FORCENONE=1 turns off libjpeg-turbo's SIMD code, whose hand-written
# assembly valgrind reports as uninitialised reads (false positives; see
# docs/plugins-builtin.md).
#
# Environment: PRISM_VALGRIND_CORPUS (default build/corpus).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
corpus=${PRISM_VALGRIND_CORPUS:-$root/build/corpus}
driver=$root/build/prism-run-plugin

command -v valgrind >/dev/null || { echo "valgrind-corpus: valgrind is not installed" >&2; exit 2; }
[ -x "$driver" ] || { echo "valgrind-corpus: $driver missing (run make)" >&2; exit 2; }

images=()
for f in variant-cmyk.jpg variant-gray.jpg variant-progressive.jpg variant-exif6.jpg variant-rgb.png; do
    [ -f "$corpus/$f" ] || { echo "valgrind-corpus: $corpus/$f missing (run bench/corpus.sh)" >&2; exit 2; }
    images+=("$corpus/$f")
done
mapfile -t small < <(ls -S -r "$corpus"/mate-*.jpg 2>/dev/null | head -n 2)
[ "${#small[@]}" -eq 2 ] || { echo "valgrind-corpus: no mate-*.jpg photos in $corpus (run bench/corpus.sh)" >&2; exit 2; }
images+=("${small[@]}")

# plugin name and its parameters
plugins=(
    "thumbnail" '{"sizes":[128,256]}'
    "webp" '{"quality":80,"max_dimension":512}'
    "watermark" "{\"logo\":\"$root/tests/data/watermark/logo.png\"}"
    "avif" '{"quality":60,"speed":10,"max_dimension":256}'
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JSIMD_FORCENONE=1
failed=0
start=$SECONDS

for ((i = 0; i < ${#plugins[@]}; i += 2)); do
    name=${plugins[i]}
    params=${plugins[i + 1]}
    log=$tmp/$name.valgrind.log
    t0=$SECONDS
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --log-file="$log" \
        "$driver" -p "$params" -o "$tmp/out" "$root/build/plugins/$name.so" "${images[@]}" \
        >"$tmp/$name.out" 2>&1
    rc=$?
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
    ok=$(grep -c ': ok: ' "$tmp/$name.out")
    echo "valgrind-corpus: $name: ${#images[@]} images, $ok ok, ${errors:-?} valgrind errors, exit $rc, $((SECONDS - t0))s"
    if [ "$rc" -ne 0 ] || [ "${errors:-1}" -ne 0 ] || [ "$ok" -ne "${#images[@]}" ]; then
        failed=1
        cat "$tmp/$name.out" "$log"
    fi
done

echo "valgrind-corpus: $(( ${#plugins[@]} / 2 )) plugins, ${#images[@]} images each, $((SECONDS - start))s, $([ $failed -eq 0 ] && echo PASS || echo FAIL)"
exit $failed
