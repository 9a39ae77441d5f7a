// New-incident alerts for those who take incidents (issue 18): a pop-up and
// a short two-tone sound, each switchable by the user (kept in this
// browser). The bell's badge alone was missed on a busy desk.
import { reactive, watch, h } from 'vue'
import { ElNotification } from 'element-plus'
import { t } from './i18n/index.js'
import { can } from './session.js'
import { onLive } from './live.js'
import { categoryLabel } from './patrol.js'

const KEY = 'zhudun.alerts'
const NEW_INCIDENT = /^incident\.created$/

function loadPrefs() {
  try { return { popup: true, sound: true, ...JSON.parse(localStorage.getItem(KEY) || '{}') } } catch { return { popup: true, sound: true } }
}

/** alertPrefs are the user's switches: popup and sound. */
export const alertPrefs = reactive(typeof localStorage === 'undefined' ? { popup: true, sound: true } : loadPrefs())
if (typeof localStorage !== 'undefined') watch(alertPrefs, (p) => localStorage.setItem(KEY, JSON.stringify(p)), { deep: true })

/** alertFor decides what a live event raises: { popup, sound } or null.
 * A unit's emergency alarm (its terminal's SOS button) always pops up for
 * whoever the server sent it to — the unit's station and its dispatchers —
 * whatever the incident switches say: it is an officer in danger. */
export function alertFor(ev, prefs, mayDispatch) {
  if (ev && ev.type === 'unit.alarm') return ev.data && ev.data.emergency ? { popup: true, sound: true, emergency: true } : null
  if (!ev || !NEW_INCIDENT.test(ev.type) || !mayDispatch) return null
  if (!prefs.popup && !prefs.sound) return null
  return { popup: !!prefs.popup, sound: !!prefs.sound }
}

let audio = null
/** chime plays two short tones with Web Audio: no sound file to serve. */
export function chime() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)()
    const at = audio.currentTime
    for (const [i, f] of [[0, 880], [1, 660]]) {
      const o = audio.createOscillator()
      const g = audio.createGain()
      o.frequency.value = f
      g.gain.setValueAtTime(0.0001, at + i * 0.22)
      g.gain.exponentialRampToValueAtTime(0.25, at + i * 0.22 + 0.02)
      g.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.22 + 0.2)
      o.connect(g).connect(audio.destination)
      o.start(at + i * 0.22)
      o.stop(at + i * 0.22 + 0.21)
    }
    window.__zdChimes = (window.__zdChimes || 0) + 1 // what a browser test can see
  } catch { /* no audio device: the pop-up still shows */ }
}

/** startAlerts listens for new incidents until the returned function is called. */
export function startAlerts(open) {
  return onLive((ev) => {
    const a = alertFor(ev, alertPrefs, can('incident:write'))
    if (!a) return
    const x = ev.data || {}
    if (a.sound) chime()
    if (a.emergency) {
      ElNotification({
        title: t('alerts.emergency', { callsign: x.callsign }),
        message: h('div', { 'data-testid': 'alert-emergency', 'data-unit': x.unit_id }, [x.station_name || '']),
        type: 'error',
        duration: 0, // stays until closed: nobody may miss it
        position: 'top-right',
        offset: 64,
      })
      return
    }
    if (a.popup) {
      ElNotification({
        title: t('alerts.newIncident', { id: x.id }),
        message: h('div', { 'data-testid': 'alert-incident', 'data-incident': x.id }, [
          h('div', categoryLabel(x.category, x.category_name)),
          h('div', { class: 'muted' }, [x.address || '', ' ', x.station_name || '']),
        ]),
        type: x.priority === 1 ? 'error' : 'warning',
        duration: 15000,
        // Top right under the header: at the bottom it covered the open
        // incident form's buttons while a call-taker was filling it in.
        position: 'top-right',
        offset: 64,
        onClick: () => open && open(x),
      })
    }
  })
}
