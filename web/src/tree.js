// Department lists come in path order; the tree is built here from parent_code.
// Departments whose parent is outside the caller's scope become roots.

/** buildTree returns root nodes {…dept, children} and a map code → node. */
export function buildTree(depts) {
  const byCode = new Map()
  for (const d of depts) byCode.set(d.code, { ...d, children: [] })
  const roots = []
  for (const n of byCode.values()) {
    const p = n.parent_code && byCode.get(n.parent_code)
    if (p) p.children.push(n)
    else roots.push(n)
  }
  // Siblings in code order (SB370102 历下 before SB370103 市中 …).
  const byCodeOrder = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  roots.sort(byCodeOrder)
  for (const n of byCode.values()) n.children.sort(byCodeOrder)
  // Leaves get no children array, so tables show no expand arrow for them.
  for (const n of byCode.values()) if (!n.children.length) delete n.children
  return { roots, byCode }
}

/** filterTree keeps nodes matching pred and the ancestors of matches. */
export function filterTree(nodes, pred) {
  const out = []
  for (const n of nodes) {
    const kids = n.children ? filterTree(n.children, pred) : []
    if (pred(n) || kids.length) out.push({ ...n, children: kids.length ? kids : undefined })
  }
  return out
}

/** subtreeCodes returns the codes of node and all its descendants. */
export function subtreeCodes(node) {
  const s = new Set()
  const walk = (n) => { s.add(n.code); (n.children || []).forEach(walk) }
  walk(node)
  return s
}
