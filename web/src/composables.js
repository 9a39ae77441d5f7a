import { ref, onBeforeUnmount } from 'vue'
import { onLive, onLiveOpen } from './live.js'

/** useLiveRefresh calls fn (debounced) when an event of one of types arrives,
 * and when the stream (re)opens: events sent while it was not open are lost,
 * so the page reloads what it shows to catch up. */
export function useLiveRefresh(types, fn, wait = 400) {
  let timer = null
  // One refresh at a time: a refresh asked for while one runs starts when it
  // ends. Two overlapping loads may answer out of order, and the older
  // answer (asked before the change) would overwrite the newer one — the
  // stream's open and an event a moment later did exactly that.
  let running = false
  let again = false
  const run = async () => {
    if (running) { again = true; return }
    running = true
    try { await fn() } catch (e) { console.error(e) } finally {
      running = false
      if (again) { again = false; run() }
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(run, wait) }
  const off = onLive((ev) => { if (types.includes(ev.type)) later() })
  const offOpen = onLiveOpen(later)
  onBeforeUnmount(() => { off(); offOpen(); clearTimeout(timer) })
}

// NARROW is the width (CSS px) below which the shell puts its menu in a
// drawer and the tables turn into cards: a phone held upright (375–430 px)
// and a small tablet.
export const NARROW = 768

/** isNarrow tells whether a viewport of width w gets the phone layout. */
export function isNarrow(w) { return w < NARROW }

/** useNarrow is a ref true while the window is narrower than NARROW. */
export function useNarrow() {
  const w = () => (typeof window === 'undefined' ? 1280 : window.innerWidth)
  const narrow = ref(isNarrow(w()))
  const on = () => { narrow.value = isNarrow(w()) }
  if (typeof window !== 'undefined') window.addEventListener('resize', on)
  onBeforeUnmount(() => { if (typeof window !== 'undefined') window.removeEventListener('resize', on) })
  return narrow
}
