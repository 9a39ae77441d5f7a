// Unit tests of the page logic that has no DOM: Beijing time, the department
// tree, the password policy mirror, and the idle-timeout warning.
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { formatTime, wallToRFC3339 } from '../src/time.js'
import { buildTree, filterTree, subtreeCodes } from '../src/tree.js'
import { passwordProblem } from '../src/policy.js'

describe('time', () => {
  it('shows Beijing time whatever the zone of the browser', () => {
    expect(formatTime('2026-01-31T16:30:05Z')).toBe('2026-02-01 00:30:05')
    expect(formatTime('2026-07-01T00:00:00+02:00')).toBe('2026-07-01 06:00:00')
    expect(formatTime('')).toBe('')
    expect(formatTime('not a date')).toBe('')
  })
  it('turns a Beijing wall-clock time into RFC 3339', () => {
    expect(wallToRFC3339('2026-02-01 00:30:05')).toBe('2026-02-01T00:30:05+08:00')
    expect(new Date(wallToRFC3339('2026-02-01 00:30:05')).toISOString()).toBe('2026-01-31T16:30:05.000Z')
  })
})

describe('department tree', () => {
  const depts = [
    { code: 'SB2', parent_code: 'ROOT', name: '市中分局' },
    { code: 'SB1', parent_code: 'ROOT', name: '历下分局' },
    { code: 'ST1-1', parent_code: 'SB1', name: '解放路派出所' },
    { code: 'ST1-2', parent_code: 'SB1', name: '泉城路派出所' },
  ]
  it('builds roots from departments whose parent is out of scope, siblings in code order', () => {
    const { roots, byCode } = buildTree(depts)
    expect(roots.map((n) => n.code)).toEqual(['SB1', 'SB2'])
    expect(byCode.get('SB1').children.map((n) => n.code)).toEqual(['ST1-1', 'ST1-2'])
    expect(byCode.get('SB2').children).toBeUndefined()
  })
  it('filters keeping ancestors of matches', () => {
    const { roots } = buildTree(depts)
    const f = filterTree(roots, (n) => n.name.includes('泉城'))
    expect(f.map((n) => n.code)).toEqual(['SB1'])
    expect(f[0].children.map((n) => n.code)).toEqual(['ST1-2'])
  })
  it('lists a subtree for moves (no move into the own subtree)', () => {
    const { byCode } = buildTree(depts)
    expect([...subtreeCodes(byCode.get('SB1'))].sort()).toEqual(['SB1', 'ST1-1', 'ST1-2'])
  })
})

describe('password policy', () => {
  it('mirrors the server', () => {
    expect(passwordProblem('Ab1!')).toBe('pwd.tooShort')
    expect(passwordProblem('abcdefgh1')).toBe('pwd.classes')
    expect(passwordProblem('Abcdefgh1')).toBe('')
    expect(passwordProblem('密码Abcdef1')).toBe('')
    expect(passwordProblem('x'.repeat(129))).toBe('pwd.tooLong')
  })
})

describe('idle timeout', () => {
  let listeners
  beforeEach(() => {
    vi.useFakeTimers()
    listeners = {}
    globalThis.window = {
      addEventListener: (t, fn) => { listeners[t] = fn },
      removeEventListener: (t) => { delete listeners[t] },
    }
  })
  afterEach(() => { vi.useRealTimers(); delete globalThis.window })

  it('warns before the end, keeps the server in step, and signs out', async () => {
    const { idle, startIdle, stayActive, stopIdle } = await import('../src/idle.js')
    const keepAlive = vi.fn()
    const onTimeout = vi.fn()
    startIdle(600, { keepAlive, onTimeout })
    // Warned 2 minutes before the end.
    vi.advanceTimersByTime(479 * 1000)
    expect(idle.warning).toBe(false)
    vi.advanceTimersByTime(2 * 1000)
    expect(idle.warning).toBe(true)
    expect(idle.secondsLeft).toBeLessThanOrEqual(120)
    // Moving the mouse does not dismiss the warning; the button does.
    listeners.mousemove()
    vi.advanceTimersByTime(1000)
    expect(idle.warning).toBe(true)
    stayActive(keepAlive)
    expect(keepAlive).toHaveBeenCalled()
    vi.advanceTimersByTime(1000)
    expect(idle.warning).toBe(false)
    // No activity: signed out at the end.
    vi.advanceTimersByTime(600 * 1000)
    expect(onTimeout).toHaveBeenCalledTimes(1)
    stopIdle()
  })

  it('touches the server while the user is active without requests', async () => {
    const { startIdle, stopIdle } = await import('../src/idle.js')
    const keepAlive = vi.fn()
    startIdle(1800, { keepAlive, onTimeout: vi.fn() })
    for (let i = 0; i < 400; i++) { listeners.keydown(); vi.advanceTimersByTime(1000) }
    expect(keepAlive).toHaveBeenCalled()
    stopIdle()
  })
})
