// mergeMessages deep-merges message trees: a feature keeps its labels in a
// file of its own and still adds to shared namespaces (actions, events).
export function mergeMessages(base, ...more) {
  const out = { ...base }
  for (const m of more) {
    for (const [k, v] of Object.entries(m)) {
      out[k] = v && typeof v === 'object' && out[k] && typeof out[k] === 'object' ? mergeMessages(out[k], v) : v
    }
  }
  return out
}
