# Worst-case stack of each entry point, from gcc -fcallgraph-info=su graphs
# (.ci files): a function's own frame plus its deepest callee's, through
# direct calls only. Indirect calls (the firmware's crypto and storage
# callbacks) are not followed, and recursion is reported as an error.
#   awk -f bench/stack-depth.awk *.ci    prints "function bytes" per function
function short(title) { sub(/.*:/, "", title); sub(/\.(isra|part|constprop)\.[0-9]+$/, "", title); return title }
/^node:/ {
  match($0, /title: "[^"]*"/); t = short(substr($0, RSTART + 8, RLENGTH - 9))
  if (match($0, /[0-9]+ bytes \(static\)/)) frame[t] = substr($0, RSTART, RLENGTH) + 0
}
/^edge:/ {
  match($0, /sourcename: "[^"]*"/); s = short(substr($0, RSTART + 13, RLENGTH - 14))
  match($0, /targetname: "[^"]*"/); d = short(substr($0, RSTART + 13, RLENGTH - 14))
  if (d != "__indirect_call") callees[s] = callees[s] " " d
}
function depth(f,    n, list, i, best, c) {
  if (f in memo) return memo[f]
  if (visiting[f]) { print "recursion through " f > "/dev/stderr"; exit 1 }
  visiting[f] = 1
  best = 0
  n = split(callees[f], list, " ")
  for (i = 1; i <= n; ++i) { c = depth(list[i]); if (c > best) best = c }
  visiting[f] = 0
  return memo[f] = frame[f] + best
}
END { for (f in frame) print f, depth(f) }
