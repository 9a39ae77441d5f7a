import { useRouter } from 'vue-router'
import { api } from './api.js'
import { clearSession } from './session.js'
import { stopLive } from './live.js'
import { stopIdle } from './idle.js'

/** signOut ends the session on the server and locally. */
export async function signOut(router, notice = 'login.loggedOut') {
  try { await api.post('/auth/logout', undefined, { quiet: true }) } catch { /* already gone */ }
  stopLive()
  stopIdle()
  clearSession(notice)
  router.replace({ name: 'login' })
}

export function useLogout() {
  const router = useRouter()
  return () => signOut(router)
}
