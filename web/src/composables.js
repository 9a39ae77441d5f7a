import { onBeforeUnmount } from 'vue'
import { onLive } from './live.js'

/** useLiveRefresh calls fn (debounced) when an event of one of types arrives. */
export function useLiveRefresh(types, fn, wait = 400) {
  let timer = null
  const off = onLive((ev) => {
    if (!types.includes(ev.type)) return
    clearTimeout(timer)
    timer = setTimeout(fn, wait)
  })
  onBeforeUnmount(() => { off(); clearTimeout(timer) })
}
