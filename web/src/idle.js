// Idle timeout. The server ends a session after idle_timeout_seconds without
// a request; the page warns shortly before, keeps the server's timer in step
// while the user is active, and signs out when the time is up.
import { reactive } from 'vue'

export const idle = reactive({ warning: false, secondsLeft: 0 })

const ACTIVITY = ['mousedown', 'keydown', 'wheel', 'touchstart', 'mousemove']
let timeoutMs = 1800 * 1000
let lastActivity = Date.now()
let lastRequest = Date.now()
let ticker = null
let handlers = null

function warnMs() {
  // Warn two minutes ahead, or at a fifth of short timeouts.
  return Math.min(120 * 1000, Math.floor(timeoutMs / 5))
}

/** noteRequest records that the server saw us (its idle timer restarted). */
export function noteRequest() { lastRequest = Date.now() }

/**
 * startIdle watches activity. keepAlive() touches the server; onTimeout() signs out.
 */
export function startIdle(seconds, { keepAlive, onTimeout }) {
  stopIdle()
  timeoutMs = Math.max(30, seconds || 1800) * 1000
  lastActivity = Date.now()
  lastRequest = Date.now()
  const onAct = () => {
    if (idle.warning) return // only the dialog's button continues the session
    lastActivity = Date.now()
  }
  handlers = onAct
  for (const ev of ACTIVITY) window.addEventListener(ev, onAct, { passive: true, capture: true })
  ticker = setInterval(() => {
    const now = Date.now()
    const quiet = now - lastActivity
    // Active user, but no request for a while: touch the server so both timers agree.
    if (quiet < 60 * 1000 && now - lastRequest > Math.min(300 * 1000, timeoutMs / 3)) {
      lastRequest = now
      keepAlive()
    }
    if (quiet >= timeoutMs) {
      stopIdle()
      onTimeout()
      return
    }
    if (timeoutMs - quiet <= warnMs()) {
      idle.warning = true
      idle.secondsLeft = Math.ceil((timeoutMs - quiet) / 1000)
    } else {
      idle.warning = false
    }
  }, 1000)
}

/** stayActive is the warning dialog's "continue" button. */
export function stayActive(keepAlive) {
  idle.warning = false
  lastActivity = Date.now()
  lastRequest = Date.now()
  keepAlive()
}

export function stopIdle() {
  clearInterval(ticker)
  ticker = null
  if (handlers) for (const ev of ACTIVITY) window.removeEventListener(ev, handlers, { capture: true })
  handlers = null
  idle.warning = false
}
