// Campus safety pages (English): schools, rounds and coverage, the visit
// checklist, hazards and notices, statistics. Keys as in zh-CN.campus.js.
export default {
  nav: { campus: 'Campus safety', campusSchools: 'Schools', campusRounds: 'Inspection rounds', campusNotices: 'Hazards and notices', campusStats: 'Campus statistics' },
  actions: { campus_photo_add: 'Add hazard photo' },
  objectType: { campus_hazard: 'Campus hazard' },
  campus: {
    type: { kindergarten: 'Kindergarten', primary: 'Primary', middle: 'Middle', high: 'High', vocational: 'Vocational', special: 'Special education' },
    cat: { people: 'Staffing', physical: 'Physical', technical: 'Technical', fire: 'Fire', traffic: 'Traffic', surroundings: 'Surroundings' },
    agency: { police: 'Police', education: 'Education', fire: 'Fire rescue', market: 'Market regulation' },
    mode: { overt: 'Overt', covert: 'Covert', mixed: 'Overt and covert' },
    result: { pass: 'Pass', fail: 'Fail', na: 'N/A' },
    severity: { general: 'General', major: 'Major' },
    hstatus: { open: 'Awaiting notice', rectified_on_spot: 'Rectified on the spot', noticed: 'Under notice', closed: 'Closed' },
    nstatus: { open: 'Open', closed: 'Closed on re-inspection', superseded: 'Re-issued', overdue: 'Overdue' },
    outcome: { close: 'Rectified: close', extend: 'Extend the deadline', reissue: 'Not rectified: re-issue' },
    schools: {
      list: 'List', map: 'Map', title: 'Schools', intro: 'The schools and kindergartens of your area. Contacts\' phones are masked.', q: 'School name', type: 'Type', district: 'District code', station: 'Station',
      code: 'School code', name: 'Name', private: 'Ownership', privateYes: 'Private', privateNo: 'Public', students: 'Students', staff: 'Staff', security: 'Guards',
      contacts: 'Contacts', generated: 'Demo data', import: 'Import schools', importHint: 'Pick an .xlsx or .csv file whose header has the columns code, name, type, district and station (the Chinese headers of the bureaus\' sheets are read too), and optionally private, address, lon, lat, students, staff, security_staff, contact_role, contact_name, contact_phone. One bad row and nothing is imported.',
      imported: '{n} schools imported', importErrors: 'The file has {n} errors; nothing was imported', row: 'Row', field: 'Field', message: 'Problem',
      edit: 'Edit', editTitle: 'Edit school', newTitle: 'Register school', create: 'Register school', address: 'Address', lon: 'Longitude', lat: 'Latitude', staffN: 'Staff', studentsN: 'Students', securityN: 'Guards',
      contactRole: 'Role', contactName: 'Name', phone: 'Phone', phoneKeep: 'Leave empty to keep ({mask})', addContact: 'Add contact', saved: 'Saved', mapCount: '{n} schools on the map', legend: 'Red: notice overdue; orange: hazards not yet rectified',
    },
    rounds: {
      title: 'Inspection rounds', intro: 'Joint groups inspect the planned schools overtly and covertly, round by round; the coverage board lists the schools not yet reached.', name: 'Round', group: 'Group', window: 'Window',
      planned: 'Planned', reached: 'Reached', coverage: 'Coverage board', unreached: 'Schools not yet reached', byDistrict: 'By district', byType: 'By type', inspect: 'Inspect', allReached: 'Every planned school has been reached',
      groups: 'Joint groups', members: 'Members', mode: 'Mode', newRound: 'Plan a round', editRound: 'Re-plan round', newGroup: 'Form a group', editGroup: 'Edit group',
      start: 'Start', end: 'End', schools: 'Schools planned', schoolsHint: 'Type a school name to filter', addAll: 'Add all ({n})', clear: 'Clear', agency: 'Agency', account: 'Account (other agency)', accountNone: 'No account', memberName: 'Name', memberTitle: 'Title',
      addMember: 'Add member', remove: 'Remove', edit: 'Edit', saved: 'Saved', planCount: '{n} schools chosen',
    },
    visit: {
      title: 'Inspection visit', school: 'School', mode: 'Mode', officers: 'Officers', officersHint: 'Separated by commas', checklist: 'Checklist (version {v})',
      hazard: 'Hazard', severity: 'Severity', onSpot: 'Rectified on the spot', note: 'Note', submit: 'Submit the results', saved: 'Visit recorded, {n} hazards',
      photo: 'Photo (JPEG/PNG, at most 5 MB)', photoTooLarge: 'The photo is over 5 MB and was not uploaded', needAll: 'Give every item a result', needDesc: 'Describe the hazard of each failed item',
    },
    notices: {
      title: 'Hazards and notices', intro: 'Hazards not rectified on the spot get a Rectification-within-deadline Notice; overdue notices show red and have been escalated to the station and the education bureau.',
      hazards: 'Hazards awaiting a notice', notices: 'Rectification notices', issue: 'Issue notice', number: 'Number', school: 'School', deadline: 'Deadline', basis: 'Legal basis',
      rep: 'School representative', officers: 'Officers', pdf: 'PDF', reinspect: 'Re-inspect', reason: 'Reason', newDeadline: 'New deadline', issuedOn: 'Date issued', reinspectedOn: 'Date re-inspected', issued: 'Issued {number}',
      found: 'Found', desc: 'Hazard', overdueOnly: 'Overdue only', done: 'Recorded',
    },
    stats: {
      title: 'Campus statistics', intro: 'Schools inspected, hazards, schools involved, rectified on the spot, notices issued, closed on re-inspection and overdue, beside last year.', round: 'Round',
      coverage: 'Coverage {pct}% ({schools} schools)', byDistrict: 'By district', byType: 'By school type', byStation: 'By station',
      f: { schools_inspected: 'Schools inspected', hazards: 'Hazards', schools_involved: 'Schools involved', rectified_on_spot: 'Rectified on the spot', notices: 'Notices issued', closed: 'Closed', overdue: 'Overdue' },
    },
  },
}
