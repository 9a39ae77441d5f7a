// The signed-in user's view of itself (GET /me), shared by every page.
import { reactive } from 'vue'
import { api } from './api.js'

export const session = reactive({
  me: null,        // {user, dept, perms, session}
  loaded: false,   // /me has been asked at least once
  must: '',
  username: '',    // as typed at sign-in, for checks before /me answers        // signed in, but a step comes first: 'change-password' | 'enroll-totp'

  notice: '',      // i18n key shown on the login page (session expired, logged out …)
})

/** loadMe refreshes session.me; it resolves to null when not signed in. */
export async function loadMe() {
  try {
    session.me = await api.get('/me', undefined, { quiet: true })
    session.must = ''
  } catch (e) {
    session.me = null
    // The server may refuse /me itself until the first step is done.
    if (e.code === 'EMUSTCHANGE') session.must = 'change-password'
    else if (e.code === 'EMUSTENROLL') session.must = 'enroll-totp'
    else if (e.status === 401 || e.status === 403) session.must = ''
    else { session.loaded = true; throw e }
  }
  session.loaded = true
  return session.me
}

export function clearSession(notice = '') {
  session.me = null
  session.must = ''
  session.notice = notice
}

/** signedIn reports whether there is a session (possibly with a step pending). */
export function signedIn() {
  return !!(session.me || session.must)
}

/** can reports whether the user holds perm (any scope). */
export function can(perm) {
  const p = session.me && session.me.perms
  return !!(p && p[perm])
}

/** canAny reports whether the user holds at least one of perms. */
export function canAny(perms) {
  if (!perms || perms.length === 0) return true
  return perms.some(can)
}

/** scopeOf returns the user's scope for perm, or ''. */
export function scopeOf(perm) {
  const p = session.me && session.me.perms
  return (p && p[perm]) || ''
}

/** mustStep returns the route name the user must visit before anything else, or ''. */
export function mustStep() {
  if (session.must) return session.must
  const s = session.me && session.me.session
  if (!s) return ''
  if (s.must_change_password) return 'change-password'
  if (s.must_enroll_totp) return 'enroll-totp'
  return ''
}
