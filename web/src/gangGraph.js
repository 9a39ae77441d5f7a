// The gang graph's layout and chart options (issue 11.2). ECharts' own
// force layout repels every pair of nodes on every step — at 2,000 nodes
// the page would freeze for seconds — so the layout is computed here once,
// Fruchterman–Reingold with repulsion only between nodes of neighbouring
// grid cells (O(n) a step), and the chart draws fixed positions.

const HUB = 8

/** hash is a small string hash (FNV-1a): the starting positions depend on the ids only. */
function hash(s) {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

/**
 * layoutGraph places nodes ({id}) tied by edges ({source, target}, by
 * id) and returns a Map id → {x, y}. Deterministic: the same graph gives
 * the same picture. k is the ideal distance between linked nodes.
 */
export function layoutGraph(nodes, edges, { k = 30, iterations = 0 } = {}) {
  const n = nodes.length
  const pos = new Map()
  if (n === 0) return pos
  const side = k * Math.sqrt(n) * 1.5
  const x = new Float64Array(n), y = new Float64Array(n), dx = new Float64Array(n), dy = new Float64Array(n)
  const index = new Map()
  nodes.forEach((nd, i) => {
    index.set(nd.id, i)
    const h = hash(nd.id)
    x[i] = ((h & 0xffff) / 0xffff - 0.5) * side
    y[i] = ((h >>> 16) / 0xffff - 0.5) * side
  })
  const links = []
  const deg = new Float64Array(n)
  for (const e of edges) {
    const a = index.get(e.source), b = index.get(e.target)
    if (a !== undefined && b !== undefined && a !== b) { links.push(a, b); deg[a]++; deg[b]++ }
  }
  // A hub's links pull less the more it has (an outlet that opened every
  // card of a gang would otherwise draw them all into one blob and hide
  // the modems they sat in): each edge weighs 1/√ of its busier end's
  // degree beyond HUB.
  const weight = new Float64Array(links.length / 2)
  for (let l = 0; l < links.length; l += 2) {
    weight[l / 2] = 1 / Math.sqrt(Math.max(1, Math.max(deg[links[l]], deg[links[l + 1]]) / HUB))
  }
  const steps = iterations || (n > 1000 ? 120 : n > 200 ? 200 : 300)
  const cell = 2 * k
  const k2 = k * k
  let temp = side / 8
  const cool = temp / steps
  for (let s = 0; s < steps; s++) {
    dx.fill(0)
    dy.fill(0)
    // repulsion among the nodes of the same and the eight neighbouring cells
    const grid = new Map()
    for (let i = 0; i < n; i++) {
      const key = Math.floor(x[i] / cell) * 65536 + Math.floor(y[i] / cell)
      let c = grid.get(key)
      if (!c) grid.set(key, (c = []))
      c.push(i)
    }
    for (let i = 0; i < n; i++) {
      const gx = Math.floor(x[i] / cell), gy = Math.floor(y[i] / cell)
      for (let ox = -1; ox <= 1; ox++) {
        for (let oy = -1; oy <= 1; oy++) {
          const c = grid.get((gx + ox) * 65536 + gy + oy)
          if (!c) continue
          for (const j of c) {
            if (j <= i) continue
            let ddx = x[i] - x[j], ddy = y[i] - y[j]
            let d2 = ddx * ddx + ddy * ddy
            if (d2 < 0.01) { ddx = ((i - j) % 7) * 0.1 + 0.1; ddy = 0.1; d2 = ddx * ddx + ddy * ddy }
            if (d2 > cell * cell) continue
            const f = k2 / d2
            dx[i] += ddx * f; dy[i] += ddy * f
            dx[j] -= ddx * f; dy[j] -= ddy * f
          }
        }
      }
    }
    // attraction along the edges
    for (let l = 0; l < links.length; l += 2) {
      const a = links[l], b = links[l + 1]
      const ddx = x[a] - x[b], ddy = y[a] - y[b]
      const d = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01
      const f = (d / k) * weight[l / 2]
      dx[a] -= ddx * f; dy[a] -= ddy * f
      dx[b] += ddx * f; dy[b] += ddy * f
    }
    // a weak pull to the centre keeps loose parts on the page
    for (let i = 0; i < n; i++) {
      dx[i] -= x[i] * 0.01; dy[i] -= y[i] * 0.01
      const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1
      const m = Math.min(d, temp)
      x[i] += (dx[i] / d) * m
      y[i] += (dy[i] / d) * m
    }
    temp = Math.max(temp - cool, k / 20)
  }
  nodes.forEach((nd, i) => pos.set(nd.id, { x: x[i], y: y[i] }))
  return pos
}

// The colour of each category on the graph, the legend and the timeline.
export const CATEGORY_COLORS = {
  black_card: '#d93026', black_account: '#e6a23c', black_device: '#8e44ad', black_line: '#2c7be5', black_software: '#16a085', outlet: '#7f8c8d', phone: '#34495e',
}
export const GRAPH_CATEGORIES = ['black_card', 'black_account', 'black_device', 'black_line', 'black_software', 'outlet', 'phone']
// Nodes that are no finding: drawn, never cut.
export const CONTEXT_NODES = ['outlet', 'phone']

/** nodeSize maps a score (0–1) to a symbol size; outlets are fixed. */
export function nodeSize(node, n) {
  const base = n > 1000 ? 5 : n > 300 ? 8 : 12
  if (CONTEXT_NODES.includes(node.category)) return base + 2
  return base + Math.round((node.score || 0) * base)
}

/**
 * graphOption is the ECharts option of a gang: nodes at the layout's
 * positions, coloured by category, sized by score; labels only for small
 * gangs (a 2,000-node label cloud is unreadable: hover shows the entity).
 * names labels each category (the legend).
 */
export function graphOption(gang, pos, names, selected) {
  const n = gang.nodes.length
  const cats = GRAPH_CATEGORIES.map((c) => ({ name: names(c), itemStyle: { color: CATEGORY_COLORS[c] } }))
  const data = gang.nodes.map((nd) => {
    const p = pos.get(nd.id) || { x: 0, y: 0 }
    return {
      id: nd.id, name: nd.entity, x: p.x, y: p.y, value: nd.score,
      category: Math.max(0, GRAPH_CATEGORIES.indexOf(nd.category)),
      symbolSize: nodeSize(nd, n),
      symbol: nd.category === 'outlet' ? 'rect' : nd.category === 'phone' ? 'diamond' : 'circle',
      itemStyle: nd.id === selected ? { borderColor: '#000', borderWidth: 3 } : (nd.status === 'dismissed' ? { opacity: 0.35 } : undefined),
    }
  })
  return {
    animation: n <= 300,
    tooltip: { confine: true },
    legend: { top: 0, data: cats.map((c) => c.name) },
    series: [{
      type: 'graph', layout: 'none', roam: true, data, categories: cats,
      edges: gang.edges.map((e) => ({ source: e.source, target: e.target })),
      lineStyle: { color: '#b0b6c0', width: n > 1000 ? 0.5 : 1, opacity: 0.7 },
      label: { show: n <= 60, position: 'right', fontSize: 11 },
      labelLayout: { hideOverlap: true },
      emphasis: { focus: 'adjacency', label: { show: true }, lineStyle: { width: 2 } },
      scaleLimit: { min: 0.2, max: 8 },
      progressive: 0,
    }],
  }
}
