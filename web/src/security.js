// Security events and the policy's fields: names shared by the alerts and
// policy pages and the notification area.
import { t, te } from './i18n/index.js'

export const SECURITY_EVENTS = [
  'security.lockout', 'security.throttle', 'security.audit_verify_failed',
  'security.bad_event_mac', 'security.pii_search_burst', 'security.admin_new_address', 'security.terminal_takeover',
]

/** securityEventLabel names a security event, or returns its code. */
export function securityEventLabel(e) {
  const k = 'secEvent.' + String(e).replace(/^security\./, '')
  return te(k) ? t(k) : e
}

// The policy's numeric fields with the limits the server enforces
// (zhudun.Policy.Validate): the form offers nothing the server refuses.
export const POLICY_FIELDS = [
  { key: 'lockout_threshold', min: 3, max: 10, unit: 'times' },
  { key: 'lockout_minutes', min: 1, max: 1440, unit: 'minutes' },
  { key: 'idle_minutes', min: 5, max: 120, unit: 'minutes' },
  { key: 'password_max_age_days', min: 7, max: 365, unit: 'days' },
  { key: 'password_history', min: 1, max: 24, unit: 'passwords' },
  { key: 'dormant_days', min: 7, max: 730, unit: 'days' },
]
