// E-bike fire safety pages in English: the report list and map, a report's
// handling, the statistics and the patrol's hazard form. Same keys as
// zh-CN.fire.js, checked by test/i18n.test.js.
export default {
  nav: { fire: 'E-bike fire safety', fireReports: 'Hazard reports', fireStats: 'E-bike fire statistics', fireNew: 'Report a hazard' },
  roles: { fire_officer: 'Fire-safety officer' },
  perm: { area: { fire: 'E-bike fire safety' } },
  actionPrefix: { fire: 'E-bike fire safety' },
  objectType: { fire_report: 'E-bike fire hazard report' },
  actions: {
    fire_report_create: 'Fire hazard report received', fire_photo_add: 'Photo added', fire_order_overdue: 'Order to correct overdue', fire_report_export: 'E-bike fire statistics exported',
    fire_step_dissuade: 'Dissuaded', fire_step_resolve: 'Corrected after dissuasion', fire_step_refer: 'Referred to fire rescue or a station', fire_step_order: 'Ordered to correct',
    fire_step_correct: 'Corrected on re-inspection', fire_step_penalize: 'Administrative penalty', fire_step_criminal: 'Referred for criminal liability', fire_step_unfounded: 'Checked: no hazard',
  },
  fire: {
    service: { corridor_parking: 'Parked in a corridor or exit', corridor_charging: 'Charging in a corridor', flying_lead: 'Flying-lead charging', indoor_charging: 'Charging indoors', other_hazard: 'Other fire hazard' },
    status: { investigating: 'Investigating', dissuaded: 'Dissuaded', referred: 'Referred', ordered: 'Ordered to correct', resolved: 'Corrected after dissuasion', corrected: 'Corrected', penalized: 'Penalised', criminal: 'Criminal referral', unfounded: 'No hazard found' },
    act: { dissuade: 'Dissuade', resolve: 'Corrected (dissuasion heeded)', refer: 'Refer', order: 'Order to correct', correct: 'Corrected on re-inspection', penalize: 'Administrative penalty', criminal: 'Refer for criminal liability', unfounded: 'No hazard found', overdue: 'Overdue escalation' },
    reporter: { property: 'Property company', committee: "Residents' committee", patrol: 'Patrol officer', resident: 'Resident' },
    target: { fire_rescue: 'Fire and rescue', station: 'Police station' },
    consequence: { casualties: 'Casualties', large_loss: 'Large losses' },
    list: {
      title: 'E-bike fire hazard reports', intro: "Reports from property companies, residents' committees and residents through Open311 clients, and from patrol officers on the spot. A place reported again within 30 days is a repeat location. Reporters' details are masked.",
      list: 'List', map: 'Map', service: 'Type', status: 'Status', station: 'Station', repeatOnly: 'Repeat locations only', requested: 'Reported', address: 'Place',
      repeat: 'Repeat location', overdue: 'Overdue', reporter: 'Reporter', open: 'Handle', places: '{n} repeat locations', legendReport: 'Hazard report', legendRepeat: 'Repeat location',
    },
    page: {
      title: 'Hazard report', back: 'Back to the list', source: 'Source', grid: 'Grid', reporter: 'Reporter', phone: 'Phone', email: 'E-mail', attrs: 'What was reported', steps: 'Handling',
      noSteps: 'Nothing recorded yet', deadline: 'Deadline', referred: 'Referred to', repeatOf: 'Earlier reports of this place', next: 'Next step', action: 'Step', note: 'What was done',
      target: 'Referred to', targetDept: 'Station code', decision: 'Penalty decision number', amount: 'Fine (yuan)', basis: 'Legal basis', consequence: 'Consequence', caseId: 'Case (internal id)',
      photo: 'Photo (JPEG/PNG, at most 5 MB)', photos: '{n} photos', submit: 'Record', done: 'Recorded', closed: 'Closed: no further step', public: 'Public status (Open311)',
    },
    stats: {
      title: 'E-bike fire statistics', intro: 'Reports, dissuasions, referrals, orders to correct, corrections, penalties and fines, repeat locations and the median time to close, beside the same period last year.', byStation: 'By station', byDistrict: 'By sub-bureau', byService: 'By hazard type',
      f: { reports: 'Reports', dissuaded: 'Dissuaded', referred: 'Referred', ordered: 'Ordered to correct', corrected: 'Corrected', penalties: 'Penalties', penalty_fen: 'Fines (yuan)', repeat_locations: 'Repeat locations', median_close_hours: 'Median hours to close' },
    },
    report: {
      title: 'Report an e-bike fire hazard', intro: "Report a hazard found on patrol at your unit's current position; it goes to your station's handling.", position: 'Current position', noUnit: 'No unit or no recent position: cannot report',
      service: 'Hazard type', placeKind: 'Kind of place', cableFrom: 'Where the cable comes from', details: 'What the hazard is', description: 'Description', submit: 'Report', done: 'Reported as number {id}',
      place: { residential: 'Residential building', shared_rental: 'Shared rental', shop: 'Street shop', public: 'Public building', other: 'Other' },
      cable: { window: 'A window', upper_floor: 'An upper floor', shop: 'A shop', other: 'Other' },
    },
  },
}
