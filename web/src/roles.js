// Role lookups shared by the user pages. Built-in roles are named in the
// user's language; custom roles by the name the security admin gave them.
import { ref } from 'vue'
import { t, te } from './i18n/index.js'
import { api } from './api.js'
import { can } from './session.js'

export const roleList = ref([])

export async function loadRoles() {
  if (!can('role:read')) return []
  const page = await api.get('/roles', { limit: 500 })
  roleList.value = (page && page.items) || []
  return roleList.value
}

export function roleLabel(id) {
  const r = roleList.value.find((x) => x.id === id)
  if (r && !r.builtin) return r.name
  if (te(`roles.${id}`)) return t(`roles.${id}`)
  return r ? r.name : id
}

/** randomPassword makes a 16-character password that meets the policy. */
export function randomPassword() {
  const sets = ['abcdefghijkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!@#$%^&*-_+=?']
  const all = sets.join('')
  const rnd = (n) => { const a = new Uint32Array(1); crypto.getRandomValues(a); return a[0] % n }
  const out = []
  for (let i = 0; i < 16; i++) out.push(all[rnd(all.length)])
  sets.forEach((s, i) => { out[i * 4 + rnd(4)] = s[rnd(s.length)] })
  return out.join('')
}
