// The lists the cases pages choose from — case types, campaigns,
// departments — loaded once per page load and shared.
import { reactive } from 'vue'
import { api, fetchAll } from './api.js'

export const dict = reactive({ types: [], campaigns: [], depts: [], loaded: false })
let pending = null

/** loadCaseDicts fills dict (once; force reloads). Failures leave a list empty. */
export function loadCaseDicts(force = false) {
  if (pending && !force) return pending
  pending = Promise.all([
    api.get('/dictionaries/case-types').then((r) => { dict.types = (r && r.items) || [] }).catch(() => {}),
    api.get('/campaigns').then((r) => { dict.campaigns = (r && r.items) || [] }).catch(() => {}),
    fetchAll('/depts').then((xs) => { dict.depts = xs.filter((d) => !d.disabled) }).catch(() => {}),
  ]).then(() => { dict.loaded = true })
  return pending
}

/** reloadCampaigns refreshes the campaigns after one was created. */
export async function reloadCampaigns() {
  try { dict.campaigns = ((await api.get('/campaigns')) || {}).items || [] } catch { /* keep the old list */ }
}
