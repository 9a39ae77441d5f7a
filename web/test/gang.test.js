import { describe, it, expect } from 'vitest'
import { layoutGraph, graphOption, nodeSize } from '../src/gangGraph.js'

// A pool of 20 modems, each with 99 cards: 2,000 nodes, 1,980 edges.
function pools(nm = 20, nc = 99) {
  const nodes = [], edges = []
  for (let m = 0; m < nm; m++) {
    const hub = `black_device|8600000000${String(m).padStart(4, '0')}`
    nodes.push({ id: hub, category: 'black_device', entity: hub.slice(13), score: 0.9 })
    for (let c = 0; c < nc; c++) {
      const id = `black_card|138${String(m * 1000 + c).padStart(8, '0')}`
      nodes.push({ id, category: 'black_card', entity: id.slice(11), score: 0.5 })
      edges.push({ source: id, target: hub })
    }
  }
  return { nodes, edges }
}
const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y)

describe('gang graph layout', () => {
  it('is deterministic and finite', () => {
    const g = pools(3, 10)
    const a = layoutGraph(g.nodes, g.edges), b = layoutGraph(g.nodes, g.edges)
    expect(a.size).toBe(33)
    for (const [id, p] of a) {
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true)
      expect(b.get(id)).toEqual(p)
    }
  })

  it('at 2,000 nodes keeps each modem\'s cards around it', () => {
    const g = pools()
    const pos = layoutGraph(g.nodes, g.edges)
    expect(pos.size).toBe(2000)
    let own = 0, other = 0, closer = 0
    for (const e of g.edges) {
      const c = pos.get(e.source)
      const mine = dist(c, pos.get(e.target))
      // the next modem's hub
      const m = Number(e.target.slice(-4))
      const next = `black_device|8600000000${String((m + 1) % 20).padStart(4, '0')}`
      const theirs = dist(c, pos.get(next))
      own += mine; other += theirs
      if (mine < theirs) closer++
    }
    expect(closer / g.edges.length).toBeGreaterThan(0.95)
    expect(own / other).toBeLessThan(0.5)
    // no two nodes on one spot: the repulsion spreads them
    const spots = new Set([...pos.values()].map((p) => `${Math.round(p.x)},${Math.round(p.y)}`))
    expect(spots.size).toBeGreaterThan(1900)
  })

  it('ignores edges to nodes it does not have', () => {
    const pos = layoutGraph([{ id: 'a' }, { id: 'b' }], [{ source: 'a', target: 'b' }, { source: 'a', target: 'zz' }])
    expect(pos.size).toBe(2)
  })
})

describe('gang graph option', () => {
  const names = (c) => 'cat:' + c
  it('labels a small gang, not a large one; sizes by score; outlets as squares', () => {
    const small = { nodes: [{ id: 'black_card|1', category: 'black_card', entity: '1', score: 1 }, { id: 'outlet|o', category: 'outlet', entity: 'o' }], edges: [{ source: 'black_card|1', target: 'outlet|o' }] }
    const o = graphOption(small, layoutGraph(small.nodes, small.edges), names, '')
    const s = o.series[0]
    expect(s.label.show).toBe(true)
    expect(s.data[1].symbol).toBe('rect')
    expect(s.data[1].category).toBe(5)
    expect(s.edges).toEqual([{ source: 'black_card|1', target: 'outlet|o' }])
    expect(o.legend.data).toEqual(['cat:black_card', 'cat:black_account', 'cat:black_device', 'cat:black_line', 'cat:black_software', 'cat:outlet', 'cat:phone'])
    const big = pools()
    const ob = graphOption({ nodes: big.nodes, edges: big.edges }, layoutGraph(big.nodes, big.edges), names, '')
    expect(ob.series[0].label.show).toBe(false)
    expect(ob.series[0].data.length).toBe(2000)
    expect(ob.animation).toBe(false)
  })
  it('sizes nodes by score', () => {
    expect(nodeSize({ category: 'black_card', score: 1 }, 10)).toBeGreaterThan(nodeSize({ category: 'black_card', score: 0.1 }, 10))
    expect(nodeSize({ category: 'outlet' }, 10)).toBe(14)
  })
})

describe('gang graph layout with a hub', () => {
  it('an outlet that opened every card does not pull the pools into one blob', () => {
    const nodes = [{ id: 'outlet|o' }], edges = []
    for (let m = 0; m < 20; m++) {
      nodes.push({ id: 'dev' + m })
      for (let c = 0; c < 25; c++) {
        const id = `card${m}_${c}`
        nodes.push({ id }, { id: 'acct' + id }, { id: 'fp' + id }, { id: 'line' + id })
        edges.push({ source: id, target: 'dev' + m }, { source: id, target: 'outlet|o' },
          { source: 'acct' + id, target: id }, { source: 'acct' + id, target: 'fp' + id }, { source: 'acct' + id, target: 'line' + id })
      }
    }
    const pos = layoutGraph(nodes, edges)
    let closer = 0, own = 0
    for (let m = 0; m < 20; m++) {
      for (let c = 0; c < 25; c++) {
        const p = pos.get(`card${m}_${c}`)
        const a = dist(p, pos.get('dev' + m))
        own += a
        if (a < dist(p, pos.get('dev' + ((m + 1) % 20)))) closer++
      }
    }
    let sep = 0, pairs = 0
    for (let i = 0; i < 20; i++) for (let j = i + 1; j < 20; j++) { sep += dist(pos.get('dev' + i), pos.get('dev' + j)); pairs++ }
    expect(closer / 500).toBeGreaterThan(0.9)
    // the modems stand apart: further from each other than their cards are from them
    expect(sep / pairs).toBeGreaterThan(2.5 * (own / 500))
  })
})
