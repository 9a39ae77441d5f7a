// Live updates: one EventSource on /api/v1/events/stream for the whole app.
// The server already filters events by the user's permissions and scope; the
// notification area lists them and pages subscribe to refresh themselves.
import { reactive } from 'vue'
import { EVENT_TYPES, QUIET_EVENT_TYPES } from './constants.js'

export const live = reactive({
  state: 'off',      // off | connecting | open | retrying
  items: [],         // newest first, at most MAX
  unread: 0,
})
const MAX = 50
const listeners = new Set()
let es = null
let retryTimer = null
let retryDelay = 2000
let wanted = false

const rightsListeners = new Set()
const openListeners = new Set()

/** onLiveOpen registers fn() for every time the stream opens: the first
 * connection after sign-in and every reconnection. Events published while the
 * stream was not open are never replayed, so a page that refreshes on events
 * must also refresh here — otherwise what happened between its first load and
 * the stream's opening (or during a dropped connection) never shows. It
 * returns the unsubscribe function. */
export function onLiveOpen(fn) {
  openListeners.add(fn)
  return () => openListeners.delete(fn)
}

/** onRightsChanged registers fn() for caller.changed: the server tells the
 * stream that the signed-in user's roles or permissions changed. It returns
 * the unsubscribe function. */
export function onRightsChanged(fn) {
  rightsListeners.add(fn)
  return () => rightsListeners.delete(fn)
}

/** onLive registers fn(event) for every event; it returns the unsubscribe function. */
export function onLive(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function dispatch(type, raw) {
  let ev
  try { ev = JSON.parse(raw) } catch { return }
  if (!ev.type) ev.type = type
  // Telemetry (unit positions) refreshes the pages but is no notification.
  if (!QUIET_EVENT_TYPES.includes(ev.type)) {
    live.items.unshift(ev)
    if (live.items.length > MAX) live.items.length = MAX
    live.unread++
  }
  for (const fn of listeners) {
    try { fn(ev) } catch (e) { console.error(e) }
  }
}

function connect() {
  if (!wanted || typeof EventSource === 'undefined') return
  live.state = 'connecting'
  es = new EventSource('/api/v1/events/stream', { withCredentials: false })
  es.onopen = () => {
    live.state = 'open'
    retryDelay = 2000
    for (const fn of openListeners) {
      try { fn() } catch (e) { console.error(e) }
    }
  }
  for (const type of EVENT_TYPES) es.addEventListener(type, (m) => dispatch(type, m.data))
  es.onmessage = (m) => dispatch('message', m.data)
  // Not a notification: the menus and pages follow the new rights.
  es.addEventListener('caller.changed', () => {
    for (const fn of rightsListeners) {
      try { fn() } catch (e) { console.error(e) }
    }
  })
  es.onerror = () => {
    if (!es || es.readyState !== EventSource.CLOSED) { live.state = 'retrying'; return }
    // The browser gave up (e.g. 401 after the session ended): retry with backoff
    // while we still want a stream.
    es = null
    live.state = 'retrying'
    clearTimeout(retryTimer)
    retryTimer = setTimeout(connect, retryDelay)
    retryDelay = Math.min(retryDelay * 2, 60000)
  }
}

export function startLive() {
  if (wanted) return
  wanted = true
  connect()
}

export function stopLive() {
  wanted = false
  clearTimeout(retryTimer)
  if (es) { es.close(); es = null }
  live.state = 'off'
  live.items.splice(0)
  live.unread = 0
}

export function markRead() { live.unread = 0 }
