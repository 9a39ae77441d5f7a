// Code lists whose labels come from the i18n messages through computed keys
// (t('kind.' + k)); the i18n test checks each of them has a label.

export const DEPT_KINDS = ['bureau', 'subbureau', 'division', 'station', 'squad']
export const SCOPES = ['all', 'subtree', 'dept', 'self']
export const RESULTS = ['ok', 'denied', 'failed']
export const BUILTIN_ROLES = ['sysadmin', 'secadmin', 'auditadmin', 'officer', 'dispatcher', 'commander', 'analyst']
export const PERM_AREAS = ['dept', 'user', 'role', 'audit', 'pii', 'incident', 'unit', 'grid', 'finding', 'case', 'report']
export const PERM_ACTIONS = ['read', 'write', 'grant', 'export', 'view']
// Audit actions written by the core; the action filter offers them and their
// prefixes. Codes not listed here are shown as they are.
export const AUDIT_ACTIONS = [
  'auth.login', 'auth.logout', 'auth.password', 'auth.totp_enroll',
  'user.create', 'user.update', 'user.password_reset', 'user.unlock', 'user.roles',
  'dept.create', 'dept.update', 'role.create', 'role.update', 'role.seed',
  'pii.view', 'keys.rekey', 'request.denied', 'audit.export', 'user.export',
]
export const AUDIT_ACTION_PREFIXES = ['auth.', 'user.', 'dept.', 'role.', 'pii.', 'audit.']
export const OBJECT_TYPES = ['user', 'dept', 'role', 'session', 'users', 'audit']
export const EVENT_TYPES = ['user.created', 'user.updated', 'dept.created', 'dept.updated', 'role.created', 'role.updated', 'audit.appended']
export const ERROR_CODES = [
  'EINVALID', 'EUNAUTHORIZED', 'EFORBIDDEN', 'ENOTFOUND', 'ECONFLICT', 'EINTERNAL', 'EUNAVAILABLE',
  'ELOCKED', 'ETOOMANY', 'EOTPREQUIRED', 'EMUSTCHANGE', 'EMUSTENROLL', 'ENETWORK', 'EUNKNOWN',
]

/** codeKey turns a dotted code ("user.create") into one i18n key segment. */
export const codeKey = (c) => String(c).replace(/\./g, '_')
export const MODULES = ['incident', 'grid', 'finding', 'case']
export const LIVE_STATES = ['off', 'connecting', 'open', 'retrying']
// Request fields an EINVALID error may name.
export const FIELDS = ['username', 'password', 'old', 'new', 'otp', 'name', 'code', 'kind', 'parent_code', 'dept_code', 'phone', 'id_number', 'reason', 'id', 'scope', 'perms', 'roles', 'disabled', 'from', 'to', 'format']
// Reasons `zhudun audit verify` gives for a broken chain.
export const VERIFY_REASONS = ['altered', 'deleted', 'reordered', 'anchor mismatch']
