// What the patrol pages share: grids, units, stations and the staleness
// limit, kept current by the event stream (unit.*, grid.imported) and a
// clock that ticks so that positions go stale on screen when they do on the
// server.
import { ref, shallowRef, onBeforeUnmount } from 'vue'
import { api, fetchAll } from './api.js'
import { can } from './session.js'
import { onLive, onLiveOpen } from './live.js'
import { withClock, upsertById, findFeature } from './patrol.js'
import { mergeFix } from './liveUnits.js'
import { showError } from './util.js'

// The unit events that carry a unit (unit.updated: its terminal and crew).
const UNIT_EVENT = /^unit\.(created|status|position|updated)$/

let dictPromise = null
/** loadDictionaries fetches the incident categories, sources, outcomes and unit statuses once. */
export function loadDictionaries() {
  if (!dictPromise) {
    dictPromise = Promise.all([
      api.get('/dictionaries/incident-categories'),
      api.get('/dictionaries/unit-statuses'),
    ]).then(([cats, statuses]) => {
      const cur = (cats.versions || []).find((v) => v.version === cats.current) || { categories: [] }
      return {
        categories: cur.categories || [],
        sources: cats.sources || [],
        outcomes: cats.outcomes || [],
        statuses: statuses.items || [],
        staleAfter: statuses.stale_after_seconds || 180,
      }
    }).catch((e) => { dictPromise = null; throw e })
  }
  return dictPromise
}

/**
 * usePatrolData loads what the user may see and keeps it current while the
 * component lives. want: {grids, units, stations} (booleans).
 */
export function usePatrolData(want = { grids: true, units: true, stations: true }) {
  const grids = shallowRef(null)
  const units = shallowRef([])
  const stations = shallowRef([])
  const staleAfter = ref(180)
  const now = ref(Date.now())
  const loading = ref(false)

  async function loadGrids() {
    if (!want.grids || !can('grid:read')) return
    grids.value = await api.get('/grids')
  }
  async function loadUnits() {
    if (!want.units || !can('unit:read')) return
    const at = Date.now()
    units.value = (await fetchAll('/units')).map((u) => withClock(u, at))
  }
  async function loadStations() {
    if (!want.stations || !can('dept:read')) return
    stations.value = (await fetchAll('/depts')).filter((d) => d.kind === 'station' && typeof d.lon === 'number' && !d.disabled)
  }
  async function load() {
    loading.value = true
    try {
      const [d] = await Promise.all([loadDictionaries().catch(() => null), loadGrids(), loadUnits(), loadStations()])
      if (d) staleAfter.value = d.staleAfter
    } catch (e) { showError(e) } finally { loading.value = false }
  }

  let gridTimer = null
  const off = onLive((ev) => {
    if (ev.type === 'unit.positions') {
      // A batch of the newest fix per unit (every 250 ms at most): one pass
      // over the list, not one copy of it per fix.
      if (!want.units || !Array.isArray(ev.data) || !ev.data.length) return
      const at = Date.now()
      const idx = new Map(units.value.map((x, i) => [x.id, i]))
      const out = units.value.slice()
      for (const f of ev.data) {
        const i = idx.get(f.id)
        const u = mergeFix(i === undefined ? undefined : out[i], f, at, ev.at)
        if (!u) continue
        const inGrid = typeof u.lon === 'number' && grids.value ? findFeature(grids.value.features, u.lon, u.lat) : null
        u.grid = inGrid ? inGrid.properties.code : ''
        if (i === undefined) { idx.set(u.id, out.length); out.push(u) } else out[i] = u
      }
      units.value = out
    } else if (UNIT_EVENT.test(ev.type)) {
      if (!want.units || !ev.data || !ev.data.id) return
      const old = units.value.find((x) => x.id === ev.data.id)
      // The event carries the unit as stored: no age, no grid, and no
      // incident_id once it is free (the field is left out, not null).
      const d = ev.data
      const inGrid = typeof d.lon === 'number' && grids.value ? findFeature(grids.value.features, d.lon, d.lat) : null
      const u = withClock({
        ...d, position_age_seconds: undefined, incident_id: d.incident_id || null,
        // Only unit.updated carries the crew; the others leave it as it was.
        crew: ev.type.endsWith('updated') ? (d.crew || []) : (old ? old.crew : []),
        grid: inGrid ? inGrid.properties.code : (old && old.lon === d.lon && old.lat === d.lat ? old.grid : ''),
      }, Date.now(), ev.at)
      // An older event (by version for states, by time for positions) changes nothing.
      if (old && ev.type !== 'unit.position' && typeof old.version === 'number' && u.version < old.version) return
      if (old && ev.type === 'unit.position' && old.position_at && u.position_at && new Date(u.position_at) < new Date(old.position_at)) return
      units.value = upsertById(units.value, u, false)
    } else if (ev.type === 'grid.imported') {
      clearTimeout(gridTimer)
      gridTimer = setTimeout(() => loadGrids().catch(showError), 500)
    }
  })
  // What changed while the stream was down is not replayed: reload the units.
  const offOpen = onLiveOpen(() => { loadUnits().catch(showError) })
  const tick = setInterval(() => { now.value = Date.now() }, 5000)
  onBeforeUnmount(() => { off(); offOpen(); clearInterval(tick); clearTimeout(gridTimer) })

  return { grids, units, stations, staleAfter, now, loading, load, loadGrids, loadUnits }
}
