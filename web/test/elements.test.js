// Element Plus is registered component by component (src/elements.js): a
// page using an <el-…> tag nobody registered would render nothing.
import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const SRC = join(import.meta.dirname, '..', 'src')

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.vue') ? [p] : []
  })
}

describe('Element Plus on demand', () => {
  it('registers every component the pages use', () => {
    const registry = readFileSync(join(SRC, 'elements.js'), 'utf8')
    const registered = new Set([...registry.matchAll(/^\s+(El[A-Za-z]+),$/gm)].map((m) => m[1]))
    const missing = []
    for (const f of files(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/<el-([a-z-]+)/g)) {
        const name = 'El' + m[1].split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')
        if (!registered.has(name)) missing.push(`${f.slice(SRC.length + 1)}: <el-${m[1]}>`)
      }
      if (/\bv-loading\b/.test(readFileSync(f, 'utf8')) && !registered.has('ElLoading')) missing.push(`${f}: v-loading`)
    }
    expect(missing).toEqual([])
  })
  it('does not install the whole library', () => {
    expect(readFileSync(join(SRC, 'main.js'), 'utf8')).not.toMatch(/import ElementPlus from/)
  })
})
