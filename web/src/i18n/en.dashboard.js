// The command screen's "today" panel (English). Keys match zh-CN.dashboard.js (test/i18n.test.js).
export default {
  command: { layerCoverage: 'Patrol coverage', todayPage: 'Today', openCommand: 'Open the command screen' },
  nav: { today: 'Today' },
  today: {
    year: 'Year', ytd: 'Year to date', wholeYear: 'All of {year}', caseOpen: 'Open (received, filed)', title: 'Today', at: 'Updated {at}', loading: 'Loading…', failed: 'Could not load today\'s figures: {message}',
    byHour: 'Incidents today by hour', byCategory: 'Incidents today by category', trends: 'Year on year ({from} to {to})',
    intro: 'Each number is the count of the records it links to; only your data scope and the modules you may read are counted.',
    card: {
      incidents: 'Incidents today', open: 'Open incidents', found: 'Found today (Four Cuts)', confirmed: 'Confirmed today', cut: 'Cut today',
      cases: 'Open cases', notices: 'Overdue campus notices', orders: 'Overdue fire orders',
    },
    figure: {
      cyber_people_coercive: 'People under coercive measures', fourcuts_suspects_caught: 'Suspects caught', fourcuts_funds_seized_fen: 'Funds seized or frozen (yuan)', fourcuts_sim_cards_seized: 'SIM cards seized',
      fourcuts_devices_seized: 'Cat pools, GoIPs and devices seized', fire_corrected: 'Corrected after an order', fire_penalties: 'Penalties', campus_schools_involved: 'Schools involved', campus_rectified_on_spot: 'Rectified on the spot',
      campus_notices: 'Rectification notices', patrol_rescues_services: 'Rescues and services', patrol_disputes_mediated: 'Disputes mediated', zhudun_smart_communities: 'Smart communities',
      patrol_incidents: 'Incidents', patrol_criminal_cases: 'Criminal cases', patrol_public_order_cases: 'Public-order cases', cyber_cases_handled: 'Cyber cases',
      fourcuts_cases_solved: 'Four Cuts cases solved', fourcuts_malicious_accounts: 'Malicious accounts', campus_hazards: 'Campus hazards', fire_reports: 'E-bike fire hazards',
      zhudun_video_coverage_pct: 'Video coverage',
    },
    drill: { title: 'From Today', clear: 'Clear', created: 'Recorded', confirmed: 'Confirmed', cut: 'Cut', received: 'Received' },
  },
}
