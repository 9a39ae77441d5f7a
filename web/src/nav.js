// The side navigation: modules and their pages, each shown only when the
// user holds the permission the page needs (the API enforces the same).
import { Odometer, Setting, OfficeBuilding, User, Lock, Document, Bell, MapLocation, DataAnalysis, Files, Monitor, TrendCharts, Van, Grid, Iphone, Warning, Key, Upload, Connection, Aim, Checked, ChatLineSquare, Scissor, Briefcase, Tickets, Flag, School, List, WarningFilled, Bicycle, Location, EditPen, VideoCamera, HomeFilled, Medal } from '@element-plus/icons-vue'

export const NAV = [
  { key: 'dashboard', path: '/', icon: Odometer, titleKey: 'nav.dashboard' },
  { key: 'today', path: '/today', icon: TrendCharts, titleKey: 'nav.today', perms: ['incident:read', 'finding:read', 'case:read', 'campus:read', 'fire:read'] },
  {
    key: 'system', icon: Setting, titleKey: 'nav.system', children: [
      { key: 'depts', path: '/system/depts', icon: OfficeBuilding, titleKey: 'nav.depts', perms: ['dept:read', 'dept:write'] },
      { key: 'users', path: '/system/users', icon: User, titleKey: 'nav.users', perms: ['user:read'] },
      { key: 'roles', path: '/system/roles', icon: Lock, titleKey: 'nav.roles', perms: ['role:read'] },
      { key: 'sources', path: '/system/sources', icon: Connection, titleKey: 'nav.sources', perms: ['source:write'] },
      { key: 'ingestStatus', path: '/system/ingest-status', icon: DataAnalysis, titleKey: 'nav.ingestStatus', perms: ['source:write'] },
    ],
  },
  {
    key: 'security', icon: Monitor, titleKey: 'nav.security', children: [
      { key: 'audit', path: '/security/audit', icon: Document, titleKey: 'nav.audit', perms: ['audit:read'] },
      { key: 'alerts', path: '/security/alerts', icon: Warning, titleKey: 'nav.alerts', perms: ['audit:read'] },
      { key: 'policy', path: '/security/policy', icon: Key, titleKey: 'nav.policy', perms: ['role:write'] },
    ],
  },
  {
    key: 'fourcuts', icon: Aim, titleKey: 'nav.fourcuts', children: [
      { key: 'findings', path: '/fourcuts/findings', icon: DataAnalysis, titleKey: 'nav.findings', perms: ['finding:read'] },
      { key: 'cutlists', path: '/fourcuts/cutlists', icon: Scissor, titleKey: 'nav.cutlists', perms: ['finding:read'] },
      { key: 'appeals', path: '/fourcuts/appeals', icon: ChatLineSquare, titleKey: 'nav.appeals', perms: ['appeal:write', 'finding:read'] },
      { key: 'allowlist', path: '/fourcuts/allowlist', icon: Checked, titleKey: 'nav.allowlist', perms: ['finding:read'] },
    ],
  },
  {
    key: 'cases', icon: Briefcase, titleKey: 'nav.cases', children: [
      { key: 'caseList', path: '/cases', icon: Tickets, titleKey: 'nav.caseList', perms: ['case:read'] },
      { key: 'caseAlerts', path: '/cases/alerts', icon: Bell, titleKey: 'nav.caseAlerts', perms: ['case:read'] },
      { key: 'campaigns', path: '/cases/campaigns', icon: Flag, titleKey: 'nav.campaigns', perms: ['case:read'] },
      { key: 'cyberStats', path: '/cases/stats', icon: TrendCharts, titleKey: 'nav.cyberStats', perms: ['report:read'] },
    ],
  },
  {
    key: 'campus', icon: School, titleKey: 'nav.campus', children: [
      { key: 'campusSchools', path: '/campus/schools', icon: School, titleKey: 'nav.campusSchools', perms: ['campus:read'] },
      { key: 'campusRounds', path: '/campus/rounds', icon: List, titleKey: 'nav.campusRounds', perms: ['campus:read'] },
      { key: 'campusNotices', path: '/campus/notices', icon: WarningFilled, titleKey: 'nav.campusNotices', perms: ['campus:read'] },
      { key: 'campusStats', path: '/campus/stats', icon: TrendCharts, titleKey: 'nav.campusStats', perms: ['report:read'] },
    ],
  },
  {
    key: 'fire', icon: Bicycle, titleKey: 'nav.fire', children: [
      { key: 'fireReports', path: '/fire/reports', icon: Location, titleKey: 'nav.fireReports', perms: ['fire:read'] },
      { key: 'fireNew', path: '/fire/new', icon: EditPen, titleKey: 'nav.fireNew', perms: ['fire:write'] },
      { key: 'fireStats', path: '/fire/stats', icon: TrendCharts, titleKey: 'nav.fireStats', perms: ['report:read'] },
    ],
  },
  {
    key: 'zhudun', icon: VideoCamera, titleKey: 'nav.zhudun', children: [
      { key: 'zhudunCommunities', path: '/zhudun/communities', icon: HomeFilled, titleKey: 'nav.zhudunCommunities', perms: ['zhudun:read'] },
      { key: 'zhudunCoverage', path: '/zhudun/coverage', icon: VideoCamera, titleKey: 'nav.zhudunCoverage', perms: ['zhudun:read'] },
      { key: 'zhudunSafeUnits', path: '/zhudun/safe-units', icon: Medal, titleKey: 'nav.zhudunSafeUnits', perms: ['zhudun:read'] },
      { key: 'zhudunStats', path: '/zhudun/stats', icon: TrendCharts, titleKey: 'nav.zhudunStats', perms: ['report:read'] },
    ],
  },
  {
    key: 'business', icon: Files, titleKey: 'nav.business', children: [
      { key: 'incident', path: '/patrol/incidents', icon: Bell, titleKey: 'nav.incident', perms: ['incident:read'] },
      { key: 'grid', path: '/patrol/map', icon: MapLocation, titleKey: 'nav.grid', perms: ['grid:read', 'unit:read'] },
      { key: 'units', path: '/patrol/units', icon: Van, titleKey: 'nav.units', perms: ['unit:read'] },
      { key: 'grids', path: '/patrol/grids', icon: Grid, titleKey: 'nav.grids', perms: ['grid:read'] },
      { key: 'patrolPlans', path: '/patrol/plans', icon: Flag, titleKey: 'nav.patrolPlans', perms: ['grid:read'] },
      { key: 'history', path: '/patrol/history', icon: Upload, titleKey: 'nav.history', perms: ['incident:import'] },
      { key: 'myUnit', path: '/patrol/my-unit', icon: Iphone, titleKey: 'nav.myUnit', perms: ['unit:read'] },
      { key: 'patrolStats', path: '/patrol/stats', icon: TrendCharts, titleKey: 'nav.patrolStats', perms: ['report:read'] },
    ],
  },
]

/** visibleNav filters NAV by the permission predicate canAny. */
export function visibleNav(canAny) {
  const out = []
  for (const item of NAV) {
    if (item.children) {
      const kids = item.children.filter((c) => canAny(c.perms))
      if (kids.length) out.push({ ...item, children: kids })
    } else if (canAny(item.perms)) out.push(item)
  }
  return out
}
