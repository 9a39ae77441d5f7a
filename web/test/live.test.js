// The stream's (re)open notice (live.js): events sent while the stream was not
// open are never replayed, so pages refresh when it opens. A stub EventSource
// stands in for the browser's.
import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { live, startLive, stopLive, onLive, onLiveOpen } from '../src/live.js'

let made = []
class FakeES {
  static CLOSED = 2
  constructor(url) { this.url = url; this.readyState = 0; this.handlers = {}; made.push(this) }
  addEventListener(type, fn) { this.handlers[type] = fn }
  close() { this.readyState = FakeES.CLOSED }
}

describe('onLiveOpen', () => {
  beforeEach(() => { made = []; globalThis.EventSource = FakeES })
  afterEach(() => { stopLive(); delete globalThis.EventSource })

  it('tells every listener each time the stream opens, until unsubscribed', () => {
    let opens = 0
    const off = onLiveOpen(() => { opens++ })
    startLive()
    expect(made.length).toBe(1)
    expect(live.state).toBe('connecting')
    expect(opens).toBe(0)
    made[0].onopen()
    expect(live.state).toBe('open')
    expect(opens).toBe(1)
    // The browser reconnects by itself after a dropped connection: onopen again.
    made[0].onerror()
    expect(live.state).toBe('retrying')
    made[0].onopen()
    expect(opens).toBe(2)
    off()
    made[0].onopen()
    expect(opens).toBe(2)
  })

  it('is no event: the notification list stays empty and onLive hears nothing', () => {
    const heard = []
    const off = onLive((ev) => heard.push(ev.type))
    startLive()
    made[0].onopen()
    expect(heard).toEqual([])
    expect(live.items.length).toBe(0)
    // A real event still reaches both.
    made[0].handlers['case.alert']({ data: JSON.stringify({ type: 'case.alert', data: { id: 1 } }) })
    expect(heard).toEqual(['case.alert'])
    expect(live.items.length).toBe(1)
    off()
  })

  it('a listener that throws does not stop the others', () => {
    let second = 0
    const a = onLiveOpen(() => { throw new Error('boom') })
    const b = onLiveOpen(() => { second++ })
    const err = console.error
    console.error = () => {}
    try {
      startLive()
      made[0].onopen()
    } finally { console.error = err }
    expect(second).toBe(1)
    a(); b()
  })
})

describe('useLiveRefresh', () => {
  beforeEach(() => { made = []; globalThis.EventSource = FakeES })
  afterEach(() => { stopLive(); delete globalThis.EventSource })

  it('runs one refresh at a time: one asked for meanwhile starts when it ends', async () => {
    const { useLiveRefresh } = await import('../src/composables.js')
    const warn = console.warn
    console.warn = () => {} // onBeforeUnmount outside a component
    let calls = 0
    let finish = []
    try {
      useLiveRefresh(['case.alert'], () => { calls++; return new Promise((r) => finish.push(r)) }, 0)
    } finally { console.warn = warn }
    startLive()
    const send = () => made[0].handlers['case.alert']({ data: JSON.stringify({ type: 'case.alert', data: {} }) })
    const tick = () => new Promise((r) => setTimeout(r, 5))
    made[0].onopen() // the stream's open refreshes too
    await tick()
    expect(calls).toBe(1)
    send(); await tick()
    send(); await tick()
    expect(calls).toBe(1) // the first still runs: no second load overlaps it
    finish[0](); await tick()
    expect(calls).toBe(2) // the events asked for during it: one more, after it
    finish[1](); await tick()
    expect(calls).toBe(2)
  })
})
