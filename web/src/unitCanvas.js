// A Leaflet layer that draws every unit on one canvas: 5,000 DOM markers
// cost the browser a layout and a style recalculation per moved marker,
// a canvas costs one pass of arcs per frame. Units are dots in their state's
// colour, stale ones hollow and grey; the selected unit gets a ring. A
// click picks the nearest drawn unit within a few pixels. Redraws are
// requested with redraw() and run at most once per animation frame.
import { L } from './map.js'
import { UNIT_COLOURS, STALE_COLOUR, isStale } from './patrol.js'

const R = 5          // dot radius, CSS pixels
const HIT = 9        // click tolerance, CSS pixels
const LABEL_ZOOM = 15 // callsigns drawn from this zoom, or when few units are in view
const LABEL_MAX = 300

export const UnitCanvas = L.Layer.extend({
  // source(): an iterable of units; staleAfter(): seconds; onSelect(id)
  initialize(opts) {
    this._source = opts.source
    this._staleAfter = opts.staleAfter || (() => 180)
    this._onSelect = opts.onSelect || (() => {})
    this._pane = opts.pane || 'overlayPane'
    this._selected = null
    this._raf = 0
    this._xs = new Float32Array(0)
    this._ys = new Float32Array(0)
    this._ids = new Float64Array(0)
    this._keys = [] // the style each drawn unit got: its status, or 'stale'
    this._n = 0
    this.draws = 0
    this.drawn = 0
    this.times = []
  },
  onAdd(map) {
    this._map = map
    const c = this._canvas = L.DomUtil.create('canvas', 'zd-unit-canvas')
    c.setAttribute('data-testid', 'unit-canvas')
    c.style.pointerEvents = 'none'
    map.getPane(this._pane).appendChild(c)
    map.on('move resize viewreset zoomend moveend', this.redraw, this)
    map.on('zoomstart', this._hide, this)
    map.on('click', this._click, this)
    this._now()
  },
  onRemove(map) {
    map.off('move resize viewreset zoomend moveend', this.redraw, this)
    map.off('zoomstart', this._hide, this)
    map.off('click', this._click, this)
    if (this._raf) cancelAnimationFrame(this._raf)
    this._raf = 0
    L.DomUtil.remove(this._canvas)
    this._canvas = null
  },
  select(id) { this._selected = id; this.redraw() },
  redraw() {
    if (!this._map || this._raf) return
    this._raf = requestAnimationFrame(() => { this._raf = 0; this._now() })
  },
  _hide() { if (this._canvas) this._canvas.style.visibility = 'hidden' },
  // _now positions the canvas over the view and draws every unit in it.
  _now() {
    const map = this._map
    const c = this._canvas
    if (!map || !c) return
    const t0 = performance.now()
    const size = map.getSize()
    const dpr = window.devicePixelRatio || 1
    if (c.width !== Math.round(size.x * dpr) || c.height !== Math.round(size.y * dpr)) {
      c.width = Math.round(size.x * dpr)
      c.height = Math.round(size.y * dpr)
      c.style.width = size.x + 'px'
      c.style.height = size.y + 'px'
    }
    L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]))
    c.style.visibility = ''
    const ctx = c.getContext('2d')
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, size.x, size.y)
    const now = Date.now()
    const staleAfter = this._staleAfter()
    // One path per style: a fill-style change per unit is what makes canvas slow.
    const groups = new Map()
    let n = 0
    const units = this._source()
    const cap = units.size || units.length || 0
    if (this._xs.length < cap) {
      this._xs = new Float32Array(cap)
      this._ys = new Float32Array(cap)
      this._ids = new Float64Array(cap)
    }
    const b = map.getBounds().pad(0.02)
    const s = b.getSouth(), w = b.getWest(), nn = b.getNorth(), e = b.getEast()
    // Web Mercator by hand (Leaflet's latLngToContainerPoint allocates three
    // objects a call): pixel = scale·project(lat, lon) − origin − pane offset.
    const scale = 256 * Math.pow(2, map.getZoom()) / (2 * Math.PI)
    const origin = map.getPixelOrigin()
    const tl = map.containerPointToLayerPoint([0, 0])
    const ox = origin.x + tl.x - scale * Math.PI, oy = origin.y + tl.y - scale * Math.PI
    const toX = (lon) => scale * lon * Math.PI / 180 - ox
    const toY = (lat) => {
      const r = Math.max(Math.min(lat, 85.0511287798), -85.0511287798) * Math.PI / 180
      return -scale * Math.log(Math.tan(Math.PI / 4 + r / 2)) - oy
    }
    this._toX = toX
    this._toY = toY
    let sel = null
    for (const u of units.values ? units.values() : units) {
      if (typeof u.lon !== 'number' || typeof u.lat !== 'number') continue
      if (u.lat < s || u.lat > nn || u.lon < w || u.lon > e) continue
      const x = toX(u.lon), y = toY(u.lat)
      const stale = isStale(u, now, staleAfter)
      const key = stale ? 'stale' : (UNIT_COLOURS[u.status] ? u.status : 'stale')
      let g = groups.get(key)
      if (!g) { g = []; groups.set(key, g) }
      g.push(x, y)
      if (n < this._xs.length) { this._xs[n] = x; this._ys[n] = y; this._ids[n] = u.id; this._keys[n] = key }
      n++
      if (u.id === this._selected) sel = { p: { x, y }, u }
    }
    for (const [key, pts] of groups) {
      ctx.beginPath()
      for (let i = 0; i < pts.length; i += 2) {
        ctx.moveTo(pts[i] + R, pts[i + 1])
        ctx.arc(pts[i], pts[i + 1], R, 0, 2 * Math.PI)
      }
      // Hollow for stale: a white dot in a grey ring (a dashed ring, as
      // the DOM markers have, costs software rendering ten times as much).
      if (key === 'stale') {
        ctx.fillStyle = '#ffffff'
        ctx.fill()
        ctx.lineWidth = 1.5
        ctx.strokeStyle = STALE_COLOUR
        ctx.stroke()
      } else {
        ctx.fillStyle = UNIT_COLOURS[key]
        ctx.fill()
      }
    }
    if (map.getZoom() >= LABEL_ZOOM || n <= LABEL_MAX) {
      ctx.font = '11px sans-serif'
      ctx.textBaseline = 'middle'
      ctx.lineWidth = 3
      ctx.strokeStyle = 'rgba(255,255,255,.85)'
      ctx.fillStyle = '#1f2d3d'
      for (const u of units.values ? units.values() : units) {
        if (typeof u.lon !== 'number' || u.lat < s || u.lat > nn || u.lon < w || u.lon > e) continue
        const x = toX(u.lon), y = toY(u.lat)
        ctx.strokeText(u.callsign, x + R + 3, y)
        ctx.fillText(u.callsign, x + R + 3, y)
      }
    }
    if (sel) {
      ctx.beginPath()
      ctx.arc(sel.p.x, sel.p.y, R + 4, 0, 2 * Math.PI)
      ctx.lineWidth = 2.5
      ctx.strokeStyle = '#d9480f'
      ctx.stroke()
    }
    this._n = Math.min(n, this._xs.length)
    this.drawn = n
    this.draws++
    // What a redraw costs, kept for the last 500 (a browser test reads them).
    this.times.push(performance.now() - t0)
    if (this.times.length > 500) this.times.splice(0, this.times.length - 500)
    c.setAttribute('data-drawn', String(n))
  },
  // _click picks the nearest unit drawn within HIT pixels of the click.
  _click(e) {
    const x = e.containerPoint.x, y = e.containerPoint.y
    let best = -1, bd = HIT * HIT
    for (let i = 0; i < this._n; i++) {
      const dx = this._xs[i] - x, dy = this._ys[i] - y
      const d = dx * dx + dy * dy
      if (d <= bd) { bd = d; best = i }
    }
    if (best >= 0) this._onSelect(this._ids[best])
  },
  /** drawnAs returns the style unit id was drawn in (its status, or 'stale'), or null when not drawn. */
  drawnAs(id) {
    for (let i = 0; i < this._n; i++) if (this._ids[i] === id) return this._keys[i]
    return null
  },
  /** pointOf returns where unit id is drawn (container pixels), or null. */
  pointOf(id) {
    for (let i = 0; i < this._n; i++) if (this._ids[i] === id) return { x: this._xs[i], y: this._ys[i] }
    return null
  },
})
