// Leaflet without a tile server: the base layer is the imported district and
// county boundaries (GET /geo/districts, WGS-84) with the grids drawn over
// them as vectors. Markers are Leaflet divIcons and circle markers styled by
// CSS, so no marker images are needed; Leaflet's own CSS is bundled by Vite
// (the server's CSP allows only same-origin files and inline styles).
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import './map.css'
import { api } from './api.js'
import { UNIT_COLOURS, STALE_COLOUR } from './patrol.js'

// Before any district is imported the map shows the country; once the
// bureau's districts are loaded it is held to them (limitTo).
export const FALLBACK_VIEW = { center: [35.0, 105.0], zoom: 4 }

/** limitTo keeps the map on bounds ([[s, w], [n, e]]) and half their size
 * around: the map cannot be dragged away from the city it serves. */
export function limitTo(map, bounds) {
  if (!bounds) return null
  const b = L.latLngBounds(bounds).pad(0.5)
  map.setMaxBounds(b)
  map.setMinZoom(Math.max(3, Math.floor(map.getBoundsZoom(b)) - 1))
  return b
}

let districtsPromise = null
/** loadDistricts fetches the district boundaries once per page load. */
export function loadDistricts() {
  if (!districtsPromise) {
    districtsPromise = api.get('/geo/districts').catch((e) => { districtsPromise = null; throw e })
  }
  return districtsPromise
}

let configPromise = null
/** loadMapConfig fetches the deployment's map settings (tiles, geocoder) once. */
export function loadMapConfig() {
  if (!configPromise) {
    configPromise = api.get('/config/map').catch(() => ({ tiles: '', attribution: '', geocoder: 'local' }))
  }
  return configPromise
}

/**
 * tileURL turns the configured template into Leaflet's: WMTS names
 * ({TileMatrix}/{TileCol}/{TileRow}) become {z}/{x}/{y}.
 */
export function tileURL(tpl) {
  return String(tpl || '').replaceAll('{TileMatrix}', '{z}').replaceAll('{TileCol}', '{x}').replaceAll('{TileRow}', '{y}')
}

/** addTiles puts the bureau's base map (--map-tiles) under the vectors. */
export function addTiles(map, cfg) {
  if (!cfg || !cfg.tiles) return null
  const layer = L.tileLayer(tileURL(cfg.tiles), { maxZoom: 18, attribution: cfg.attribution || '', className: 'zd-tiles' })
  layer.addTo(map)
  // The layer's credit joins the map's attribution control; a map without one gets one.
  if (cfg.attribution && !map.attributionControl) L.control.attribution({ position: 'bottomright', prefix: false }).addAttribution(cfg.attribution).addTo(map)
  return layer
}

/** createMap makes a map in el, limited to the city; tiles come from addTiles. */
export function createMap(el, { attribution = '', zoomLabels = {} } = {}) {
  const map = L.map(el, {
    center: FALLBACK_VIEW.center,
    zoom: FALLBACK_VIEW.zoom,
    minZoom: 3,
    maxZoom: 18,
    maxBoundsViscosity: 0.8,
    zoomControl: false,
    attributionControl: false,
    preferCanvas: false, // SVG: every shape is an element (tests and screen readers can find them)
    keyboard: true,
    zoomSnap: 0.25,
  })
  L.control.zoom({ position: 'topleft', zoomInTitle: zoomLabels.in || '+', zoomOutTitle: zoomLabels.out || '-' }).addTo(map)
  L.control.scale({ position: 'bottomleft', imperial: false }).addTo(map)
  if (attribution) L.control.attribution({ position: 'bottomright', prefix: false }).addAttribution(attribution).addTo(map)
  // Panes in drawing order: districts under grids under incidents and units.
  map.createPane('districts').style.zIndex = 350
  map.createPane('grids').style.zIndex = 380
  map.createPane('labels').style.zIndex = 390
  return map
}

export const DISTRICT_STYLE = { pane: 'districts', color: '#4a6a94', weight: 1.6, fillColor: '#f7f4ea', fillOpacity: 1, interactive: false }
export const GRID_STYLE = { pane: 'grids', color: '#3f8fd8', weight: 0.8, fillColor: '#8cc2f0', fillOpacity: 0.18 }
export const GRID_PICKED_STYLE = { color: '#d9480f', weight: 2.4, fillColor: '#ffa94d', fillOpacity: 0.35 }

/** districtLayer draws the districts with their names at their centres; over tiles, as outlines only. */
export function districtLayer(fc, { labels = true, tiles = false } = {}) {
  const group = L.layerGroup()
  const style = tiles ? { ...DISTRICT_STYLE, fillOpacity: 0 } : DISTRICT_STYLE
  const shapes = L.geoJSON(fc, { pane: 'districts', className: 'zd-district', interactive: false, style: () => style })
  group.addLayer(shapes)
  if (labels) {
    for (const f of fc.features || []) {
      const c = L.geoJSON(f).getBounds().getCenter()
      const centre = labelPoint(f) || [c.lat, c.lng]
      group.addLayer(L.marker(centre, {
        pane: 'labels', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'zd-district-label', html: `<span data-data>${escapeHTML(f.properties.name)}</span>`, iconSize: null }),
      }))
    }
  }
  return group
}

// A point inside the district's largest polygon for its name (the bounding
// box's centre of a crescent-shaped county can fall outside it).
function labelPoint(f) {
  const g = f.geometry
  if (!g) return null
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  let best = null, bestArea = -1
  for (const p of polys) {
    const r = p[0]
    let a = 0, cx = 0, cy = 0
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const k = r[j][0] * r[i][1] - r[i][0] * r[j][1]
      a += k; cx += (r[j][0] + r[i][0]) * k; cy += (r[j][1] + r[i][1]) * k
    }
    if (Math.abs(a) > bestArea && a !== 0) { bestArea = Math.abs(a); best = [cy / (3 * a), cx / (3 * a)] }
  }
  return best
}

/** gridLayer draws grids; onEach(feature, layer) may bind tooltips. */
export function gridLayer(fc, onEach) {
  return L.geoJSON(fc, { pane: 'grids', className: 'zd-grid', style: () => GRID_STYLE, onEachFeature: onEach })
}

export function escapeHTML(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
}

/** unitIcon is a dot in the unit's state colour with its callsign; stale units are hollow and grey. */
export function unitIcon(u, stale) {
  const colour = stale ? STALE_COLOUR : (UNIT_COLOURS[u.status] || STALE_COLOUR)
  // Labels of cars go above the dot, of e-bikes below, of foot patrols to the
  // right: a station's car and e-bike start side by side and stay readable.
  const cls = ['zd-unit', 'zd-unit-' + (u.status || 'unknown'), 'zd-kind-' + (u.kind || 'car'), stale ? 'zd-unit-stale' : ''].join(' ')
  return L.divIcon({
    className: cls,
    html: `<span class="zd-unit-dot" style="border-color:${colour};background:${stale ? '#fff' : colour}"></span><span class="zd-unit-label">${escapeHTML(u.callsign)}</span>`,
    iconSize: [14, 14],
    iconAnchor: [7, 7],
  })
}

export function stationIcon(name) {
  return L.divIcon({ className: 'zd-station', html: '<span class="zd-station-mark" aria-hidden="true"></span>', iconSize: [16, 16], iconAnchor: [8, 8], tooltipAnchor: [8, 0], title: name })
}

export function incidentIcon(status) {
  return L.divIcon({ className: 'zd-incident zd-incident-' + (status || 'received'), html: '<span class="zd-incident-mark" aria-hidden="true">!</span>', iconSize: [20, 20], iconAnchor: [10, 10] })
}

export function pickIcon() {
  return L.divIcon({ className: 'zd-pick', html: '<span class="zd-pick-mark" aria-hidden="true"></span>', iconSize: [22, 22], iconAnchor: [11, 11] })
}

export { L }
