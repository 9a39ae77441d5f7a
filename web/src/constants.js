// Code lists whose labels come from the i18n messages through computed keys
// (t('kind.' + k)); the i18n test checks each of them has a label.

export const DEPT_KINDS = ['bureau', 'subbureau', 'division', 'station', 'squad']
export const SCOPES = ['all', 'subtree', 'dept', 'self']
export const RESULTS = ['ok', 'denied', 'failed']
export const BUILTIN_ROLES = ['sysadmin', 'secadmin', 'auditadmin', 'officer', 'dispatcher', 'commander', 'analyst']
export const PERM_AREAS = ['dept', 'user', 'role', 'audit', 'pii', 'incident', 'unit', 'grid', 'finding', 'case', 'report', 'source', 'appeal', 'campus', 'fire', 'zhudun']
export const PERM_ACTIONS = ['read', 'write', 'grant', 'export', 'view', 'search', 'import', 'inspect']
// Audit actions written by the core; the action filter offers them and their
// prefixes. Codes not listed here are shown as they are.
export const AUDIT_ACTIONS = [
  'auth.login', 'auth.logout', 'auth.password', 'auth.totp_enroll',
  'user.create', 'user.update', 'user.password_reset', 'user.unlock', 'user.roles',
  'dept.create', 'dept.update', 'role.create', 'role.update', 'role.seed',
  'pii.view', 'keys.rekey', 'request.denied', 'audit.export', 'users.export', 'patrol_report.export', 'cyber_report.export', 'summary_report.export',
  'grid.import', 'unit.create', 'unit.status', 'unit.terminal_register', 'unit.alarm_ack', 'incident.create', 'incident.import', 'incident.dispatch', 'incident.lend',
  'incident.arrive', 'incident.close', 'report.rollup_rebuild',
  'policy.update', 'alert.ack', 'user.disable_dormant',
  'pii.search', 'pii.search_locked', 'pii.search_unlock', 'unit.update', 'address.import', 'district.import', 'user.must_change',
  'audit.archive', 'retention.purge', 'keys.retire', 'source.create', 'source.disable', 'source.rotate',
  'finding.confirm', 'finding.dismiss', 'findings.export', 'lead.promote', 'allowlist.add', 'allowlist.remove', 'cutlist.fetch', 'cutlist.ack', 'cutlist.overdue',
  'appeal.create', 'appeal.restore', 'appeal.reject', 'review.request', 'review.approve', 'review.reject',
  'case.create', 'case.file', 'case.transition', 'case.link', 'case.unlink', 'case.merge', 'case.alert.close', 'case.person.add', 'case.person.apprehend', 'case.measure.add', 'case.seizure.add', 'case.import',
  'case.entity.add', 'case.campaign.add', 'case.prefix', 'campaign.create', 'report.rollup.repair',
  'case.update', 'case.attachment.add', 'case.attachment.download', 'case.attachment.delete',
  'zhudun.community.create', 'zhudun.community.update', 'zhudun.community.import', 'community.export', 'zhudun.rule.save', 'zhudun.camera.import', 'zhudun.road.import', 'zhudun.grid.target', 'zhudun.safeunit.apply', 'zhudun.safeunit.inspect', 'zhudun.safeunit.certify', 'zhudun.safeunit.refuse', 'zhudun.safeunit.revoke',
  'campus.school.create', 'campus.school.import', 'campus.school.update', 'campus.group.create', 'campus.group.update', 'campus.round.create', 'campus.round.update', 'campus.visit.create', 'campus.notice.issue',
  'campus.notice.reinspect', 'campus.notice.overdue', 'campus_report.export', 'campus_notice.export', 'schools.export', 'campus.photo.add',
  'fire.report.create', 'fire.photo.add', 'fire.order.overdue', 'fire_report.export', 'fire.step.dissuade', 'fire.step.resolve', 'fire.step.refer',
  'fire.step.order', 'fire.step.correct', 'fire.step.penalize', 'fire.step.criminal', 'fire.step.unfounded',
  'security.lockout', 'security.throttle', 'security.audit_verify_failed', 'security.bad_event_mac', 'security.pii_search_burst', 'security.admin_new_address', 'security.terminal_takeover',
  'patrol_plan.create', 'patrol_plan.update', 'patrol_plan.delete', 'patrol_visits.export',
]
export const AUDIT_ACTION_PREFIXES = ['auth.', 'user.', 'dept.', 'role.', 'pii.', 'audit.', 'grid.', 'unit.', 'incident.', 'security.', 'policy.', 'source.', 'finding.', 'allowlist.', 'cutlist.', 'appeal.', 'review.', 'case.', 'campaign.', 'campus.', 'fire.', 'patrol_plan.', 'zhudun.', 'community.']
export const OBJECT_TYPES = ['user', 'dept', 'role', 'session', 'users', 'audit', 'grid', 'unit', 'incident', 'alert', 'policy', 'source', 'finding', 'allowlist', 'cutlist', 'appeal', 'review_request', 'case', 'person', 'campaign', 'cyber_report', 'school', 'school_contact', 'campus_group', 'campus_round', 'campus_visit', 'campus_notice', 'campus_report', 'schools', 'campus_hazard', 'fire_report', 'patrol_plan', 'patrol_visits', 'community', 'level_rule', 'camera', 'safe_unit']
export const EVENT_TYPES = ['user.created', 'user.updated', 'dept.created', 'dept.updated', 'role.created', 'role.updated', 'audit.appended',
  'incident.created', 'incident.dispatched', 'incident.arrived', 'incident.closed', 'unit.created', 'unit.status', 'unit.position', 'unit.positions', 'unit.alarm', 'unit.alarm.acked', 'grid.imported',
  'alert.raised', 'alert.acked', 'policy.updated', 'source.changed',
  'finding.created', 'finding.updated', 'finding.withdrawn', 'lead.created', 'lead.updated', 'lead.withdrawn', 'cutlist.overdue', 'case.created', 'case.updated', 'case.alert', 'campus.overdue', 'patrol_plan.changed']
// Events that are telemetry: pages listen to them, the notification area does not list them.
// The live engine's findings come by the hundred: the findings page counts them itself.
export const QUIET_EVENT_TYPES = ['unit.position', 'unit.positions', 'finding.created', 'finding.updated', 'finding.withdrawn', 'lead.created', 'lead.updated', 'lead.withdrawn']
export const ERROR_CODES = [
  'EINVALID', 'EUNAUTHORIZED', 'EFORBIDDEN', 'ENOTFOUND', 'ECONFLICT', 'EINTERNAL', 'EUNAVAILABLE',
  'ELOCKED', 'ETOOMANY', 'EOTPREQUIRED', 'EMUSTCHANGE', 'EMUSTENROLL', 'ENETWORK', 'EUNKNOWN',
]

/** codeKey turns a dotted code ("user.create") into one i18n key segment. */
export const codeKey = (c) => String(c).replace(/\./g, '_')
export const MODULES = ['finding', 'case']
export const LIVE_STATES = ['off', 'connecting', 'open', 'retrying']
// Request fields an EINVALID error may name.
export const FIELDS = ['username', 'password', 'old', 'new', 'otp', 'name', 'code', 'kind', 'parent_code', 'dept_code', 'phone', 'id_number', 'reason', 'id', 'scope', 'perms', 'roles', 'disabled', 'from', 'to', 'format',
  'category', 'lon', 'lat', 'address', 'source', 'caller_phone', 'received_at', 'priority', 'unit', 'outcome', 'note', 'case_ref', 'status', 'dept', 'target', 'dispatched_at', 'arrived_at', 'closed_at']
// Keys of audit rows' details, labelled through i18n (auditField.*); others show as they are.
export const AUDIT_FIELDS = ['base', 'before', 'caller_phone', 'case_ref', 'category', 'category_version', 'client_addr', 'code', 'codes', 'count', 'created', 'days', 'dept', 'dormant_days', 'effect', 'event', 'failures', 'fields', 'first', 'first_id', 'first_seq', 'from', 'generated', 'grid', 'grids', 'kind', 'last', 'last_active', 'last_id', 'last_seq', 'lent_station', 'limit', 'matched', 'minutes', 'must_change', 'must_change_password', 'name', 'outcome', 'override_reason', 'owner_station', 'parent', 'password_expired', 'priority', 'reason', 'received_at_set', 'recommended', 'rejected', 'response_seconds', 'roles', 'rows', 'searches', 'seq', 'skipped', 'source', 'station', 'terminal', 'to', 'totp', 'unit', 'unit_station', 'updated', 'username', 'window_seconds', 'crew', 'left_units', 'lend_ended', 'pii_filters', 'id', 'scope', 'perms', 'builtin', 'admin', 'owner_dept', 'lockout_threshold', 'lockout_minutes', 'idle_minutes', 'password_max_age_days', 'password_history', 'totp_roles', 'users', 'incidents', 'status', 'label', 'callsign', 'subject', 'endpoint', 'receipt', 'number', 'title', 'type', 'from_gang', 'entities', 'campaigns', 'campaign', 'other', 'other_receipt', 'into', 'into_receipt', 'merged', 'merged_receipt', 'merged_number', 'person', 'role', 'known', 'id_number', 'apprehended_on', 'authority', 'document_no', 'seizure', 'amount_fen', 'device_type', 'state', 'findings', 'at', 'people', 'alert', 'note', 'link', 'link_reason', 'linked_by', 'alarm', 'raised', 'raised_at']
// Reasons `zhudun audit verify` gives for a broken chain.
export const VERIFY_REASONS = ['altered', 'deleted', 'reordered', 'anchor mismatch']

// Grid patrol and incident dispatch (网格驻巡): the codes the server uses,
// labelled through i18n (patrol.category.*, patrol.source.* …).
export const INCIDENT_CATEGORIES = ['criminal', 'public_order', 'traffic', 'fire', 'rescue', 'dispute', 'other']
export const INCIDENT_SOURCES = ['110', 'walk_in', 'patrol', 'online']
export const INCIDENT_OUTCOMES = ['handled', 'criminal_case', 'public_order_case', 'mediated', 'rescued', 'referred']
export const INCIDENT_STATUSES = ['received', 'dispatched', 'on_scene', 'closed']
export const INCIDENT_PRIORITIES = [1, 2, 3]
export const UNIT_STATES = ['off_duty', 'patrolling', 'dispatched', 'on_scene', 'returning']
export const UNIT_LABELS = ['off_duty', 'patrolling', 'dispatched', 'on_scene', 'returning', 'standby', 'checkpoint', 'meal', 'refuel', 'maintenance', 'escorting']
export const UNIT_KINDS = ['car', 'foot', 'ebike']
export const CANDIDATE_TIERS = ['grid', 'neighbour']
// Why the recommender found no unit (worked out from its counts: the server's reason is English text).
export const NO_UNIT_REASONS = ['outside', 'none', 'stale', 'busy', 'mixed']

// E-bike fire safety (docs/fire.md): the codes the server uses, labelled
// through i18n (fire.service.*, fire.status.*, fire.act.*).
export const FIRE_SERVICES = ['corridor_parking', 'corridor_charging', 'flying_lead', 'indoor_charging', 'other_hazard']
export const FIRE_STATUSES = ['investigating', 'dissuaded', 'referred', 'ordered', 'resolved', 'corrected', 'penalized', 'criminal', 'unfounded']
export const FIRE_ACTIONS = ['dissuade', 'resolve', 'refer', 'order', 'correct', 'penalize', 'criminal', 'unfounded', 'overdue']
