// Labels of the security policy and alerts pages (English). Same keys as zh-CN.security.js.
export default {
  nav: { alerts: 'Security alerts', policy: 'Security policy' },
  alerts: {
    title: 'Security alerts',
    intro: 'Security events — accounts locked, client addresses throttled, audit chain verification failed, events failing their MAC, bursts of personal-data searches, administrators signing in from a new address — reach the audit administrator live; repeats of one event within 15 minutes only add to its count. Times are Beijing time.',
    allEvents: 'All events', event: 'Event', unackedOnly: 'Unacknowledged only', at: 'First seen', lastAt: 'Last seen:', subject: 'Subject', client: 'Client address',
    count: 'Count', detail: 'Detail', ack: 'Acknowledge', acked: 'Acknowledged', ackedBy: 'Acknowledged by {user} at {at}', none: 'No alerts',
  },
  secEvent: {
    lockout: 'Account locked', throttle: 'Address throttled', audit_verify_failed: 'Audit chain verification failed', bad_event_mac: 'Event failed its MAC',
    pii_search_burst: 'Burst of personal-data searches', admin_new_address: 'Administrator from a new address', terminal_takeover: 'Vehicle terminal registered from another device',
  },
  policy: {
    title: 'Security policy',
    intro: 'The sign-in and account policy the security administrator sets. Changes take effect when saved and are audited. Settings fixed by a start-up flag are shown read-only.',
    f: {
      lockout_threshold: 'Failures before lockout', lockout_minutes: 'Lockout duration', idle_minutes: 'Session idle timeout',
      password_max_age_days: 'Password maximum age', password_history: 'Password history', dormant_days: 'Disable dormant accounts after', totp_roles: 'Roles needing a second factor',
    },
    unit: { times: 'times', minutes: 'minutes', days: 'days', passwords: 'passwords' },
    h: {
      lockout_threshold: 'This many wrong passwords in a row lock the account ({min}–{max}).',
      lockout_minutes: 'How long a lock lasts; it ends by itself, or an administrator unlocks earlier ({min}–{max}).',
      idle_minutes: 'A session without a request for this long ends and the user signs in again ({min}–{max}).',
      password_max_age_days: 'A password older than this must be changed right after sign-in ({min}–{max}).',
      password_history: 'A new password must differ from this many recent ones, the current one included ({min}–{max}).',
      dormant_days: 'Accounts without a sign-in for this long are disabled automatically, with an audit entry; re-enabling restarts the count ({min}–{max}).',
      totp_roles: 'Holders of these roles sign in with a one-time code and set up an authenticator at their first sign-in.',
    },
    byFlag: 'Set by start-up flag: {value}',
    updated: 'Last changed by {user} at {at}',
    dormantTitle: 'Dormant accounts',
    dormantIntro: 'Accounts without a sign-in for more than {days} days: active ones are disabled at the next hourly sweep.',
    dormantNone: 'No dormant accounts', lastActive: 'Last active', days: 'Days unused', pending: 'To be disabled',
  },
  events: { alert_raised: 'Security alert', alert_acked: 'Alert acknowledged', policy_updated: 'Security policy changed' },
  actions: {
    policy_update: 'Change security policy', alert_ack: 'Acknowledge alert', user_disable_dormant: 'Disable dormant account',
    security_lockout: 'Account locked', security_throttle: 'Address throttled', security_audit_verify_failed: 'Audit chain verification failed',
    security_bad_event_mac: 'Event failed its MAC', security_pii_search_burst: 'Burst of personal-data searches', security_admin_new_address: 'Administrator from a new address', security_terminal_takeover: 'Vehicle terminal registered from another device',
  },
  actionPrefix: { security: 'Security events', policy: 'Security policy' },
  objectType: { alert: 'Alert', policy: 'Security policy' },
}
