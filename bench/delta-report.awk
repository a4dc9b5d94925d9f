# Renders bench/delta.sh's rows (template, variant, change, suffix, payload,
# full, compressed and delta bytes on the wire, delta stream, bsdiff, xdelta3,
# zstd --patch-from, the LZMA bound)
# as markdown tables, wasm bundles first, then a summary against the goals of
# issue 16.
function pct(a, b) { return sprintf("%.1f%%", 100 * a / b) }
{ rows[NR] = $0 }
END {
  split("|-m4", suffixes, "|")
  titles[""] = "wasm bundles"; titles["-m4"] = "cortex-m4f AOT bundles"
  for (s = 1; s <= 2; ++s) {
    suffix = suffixes[s]
    printf "%s## %s\n\n", (s > 1 ? "\n" : ""), titles[suffix]
    print "| template | build | change | payload | full (wire) | compressed (wire) | delta (wire) | delta stream | bsdiff | xdelta3 -9 | zstd -19 | LZMA bound |"
    print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= NR; ++i) {
      split(rows[i], f, "\t")
      if (f[4] != suffix) continue
      printf "| %s | %s | %s | %d | %d | %d (%s) | %d (%s) | %d | %d | %d | %d | %d |\n", f[1], f[2], f[3], f[5],
             f[6], f[7], pct(f[7], f[6]), f[8], pct(f[8], f[6]), f[9], f[10], f[11], f[12], f[13]
    }
  }
  # The summary: per change, the delta's share of the full bundle for
  # payloads of 10 KB and more (the sizes the goals are set for) and below,
  # how often the stream beats the smaller of bsdiff and xdelta3, and (for
  # payloads of 10 KB and more) the stream against zstd and the LZMA bound.
  print "\n## summary\n"
  print "| change | pairs | delta/full, payload >= 10 KB | delta/full, payload < 10 KB | stream < min(bsdiff, xdelta3) | stream / zstd, >= 10 KB | stream / LZMA bound, >= 10 KB |"
  print "|---|---:|---:|---:|---:|---:|---:|"
  split("constant log function loop", kinds, " ")
  for (k = 1; k <= 4; ++k) {
    pairs = 0; wins = 0; big_lo = small_lo = zstd_lo = bound_lo = 1e9; big_hi = small_hi = zstd_hi = bound_hi = -1
    big_n = small_n = 0
    for (i = 1; i <= NR; ++i) {
      split(rows[i], f, "\t")
      if (f[3] != kinds[k]) continue
      ++pairs
      best = f[10] < f[11] ? f[10] : f[11]
      if (f[9] + 0 < best + 0) ++wins
      share = 100 * f[8] / f[6]
      if (f[5] >= 10000) {
        ++big_n; if (share < big_lo) big_lo = share; if (share > big_hi) big_hi = share
        r = f[9] / f[12]; if (r < zstd_lo) zstd_lo = r; if (r > zstd_hi) zstd_hi = r
        r = f[9] / f[13]; if (r < bound_lo) bound_lo = r; if (r > bound_hi) bound_hi = r
      }
      else { ++small_n; if (share < small_lo) small_lo = share; if (share > small_hi) small_hi = share }
    }
    big = big_n ? sprintf("%.1f-%.1f%% (%d)", big_lo, big_hi, big_n) : "-"
    small = small_n ? sprintf("%.1f-%.1f%% (%d)", small_lo, small_hi, small_n) : "-"
    printf "| %s | %d | %s | %s | %d of %d | %.2f-%.2f | %.2f-%.2f |\n", kinds[k], pairs, big, small, wins, pairs,
           zstd_lo, zstd_hi, bound_lo, bound_hi
  }
}
