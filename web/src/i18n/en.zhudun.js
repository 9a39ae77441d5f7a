// Zhudun pages (English): smart-security communities, cameras and video
// coverage, safe units, statistics. Keys as in zh-CN.zhudun.js.
export default {
  nav: { zhudunCommunity: 'Community', zhudun: 'Zhudun (Shield)', zhudunCommunities: 'Smart communities', zhudunCoverage: 'Video coverage', zhudunSafeUnits: 'Safe units', zhudunStats: 'Zhudun statistics' },
  shield: {
    level: { smart: 'Smart-security community', basic: 'Basic', none: 'Below standard' },
    facility: { access_control: 'Access control', face_gate: 'Face gates', camera: 'Cameras', vehicle_barrier: 'Vehicle barriers', perimeter_alarm: 'Perimeter alarm', smoke_detector: 'Smoke detectors', ebike_shed: 'E-bike charging sheds' },
    communities: {
      title: 'Smart-security communities', intro: 'The residential communities of your area, their security facilities and the level the level rule gives them. Property contacts\' phones are masked.',
      code: 'Code', name: 'Community', district: 'District', station: 'Station', households: 'Households', property: 'Property company', contacts: 'Property contacts',
      score: 'Score', level: 'Level', rule: 'Rule edition', facilities: 'Facilities', generated: 'Demo data', import: 'Import communities', export: 'Export',
      importHint: 'Pick an .xlsx or .csv file whose header has code, name, district and station (Chinese headers read too), and optionally address, grid, lon, lat, households, property_company, contact_name, contact_phone and a column per facility. One bad row and nothing is imported.',
      imported: '{n} communities imported', importErrors: 'The file has {n} errors; nothing was imported', row: 'Row', field: 'Column', message: 'Problem',
      ruleTitle: 'Level rule (edition {v})', per: 'One per households', weight: 'Weight', thresholds: 'Smart from {smart} points, basic from {basic}',
    },
    form: {
      new: 'Register community', newTitle: 'Register community', editTitle: 'Edit community: {name}', address: 'Address', district: 'District code', station: 'Station code', grid: 'Grid code (optional)',
      location: 'Location', lon: 'Longitude (WGS-84)', lat: 'Latitude (WGS-84)', boundary: 'Boundary', boundaryHint: 'Optional: a GeoJSON Polygon/MultiPolygon or its coordinates (WGS-84); coverage is measured only for a community with a boundary',
      replaceContacts: 'Enter the contacts again', contactName: 'Name', contactPhone: 'Mobile', addContact: 'Add contact', remove: 'Remove',
      badBoundary: 'The boundary is not valid GeoJSON polygon coordinates', saved: 'Saved',
    },
    detail: {
      score: 'Score {score} (level rule edition {v})', have: 'Has', needed: 'Needs', earned: 'Points',
      roadCovered: 'Roads: {pct} % ({cov} of {len} m in view)', noRoads: 'No road inside the boundary.',
      coverage: 'Video coverage', noBoundary: 'This community is registered as a point only, without a boundary: its coverage cannot be measured. Add a boundary with "Edit".',
      covered: 'Coverage {pct}%: {cov} m² covered of {area} m² (the part inside grids)', cameras: 'Cameras of the community ({n})',
      camsInside: 'Cameras (not gone) inside the community\'s boundary.', camsNear: 'Cameras (not gone) within 200 m of the community\'s point (it has no boundary).',
    },
    rule: {
      edit: 'Revise rule', title: 'Revise the level rule (becomes edition {v})', hint: 'Each facility: one per how many households (0: one is enough) and its weight; the weights must sum to 100.',
      sum: 'Weights sum: {n} (must be 100)', relevel: 'On saving every community is re-levelled under the new edition; old editions are kept.', saved: 'Level rule edition {v} in force',
    },
    coverage: {
      title: 'Video coverage', intro: 'The share of each grid\'s area inside some online camera\'s view (sector); red is uncovered. Grids under their target are listed below.',
      import: 'Import device list', gcj: 'Coordinates are GCJ-02', markGone: 'Mark cameras missing from the list as gone', importHint: 'A GB/T 28181 platform\'s device list (CSV, UTF-8 or GB 18030): device_id, name, longitude, latitude, status (ON/OFF) required; other columns are kept.',
      imported: 'Imported: {c} new, {u} updated, {o} offline, {g} gone', importErrors: 'The list has {n} errors; nothing was imported',
      grid: 'Grid', station: 'Station', pct: 'Coverage', target: 'Target', cameras: 'Online cameras', under: 'Grids under target', none: 'No grid is under its target',
      setTarget: 'Set target', districts: 'Coverage by district', area: 'Grid area (m²)',
      cams: 'Cameras', device: 'Device id', cname: 'Name', type: 'Type', online: 'Online', offline: 'Offline', gone: 'Gone', fov: 'Field of view', range: 'Range (m)',
      layerGaps: 'Uncovered', layerSectors: 'Camera views', layerRoads: 'Roads',
      layerShare: 'Grid coverage 0 % → 100 %', locate: 'Show on the map', gridFilter: 'Filter by code, name or station',
      zoomHint: '{n} grids in this view, coloured by video coverage (red low, green high); zoom in to {limit} grids or fewer to see the uncovered areas',
      roadPct: 'Road coverage', roadNone: 'No roads', roadsImport: 'Import road layer', roadsHint: 'Road centrelines as GeoJSON (LineString / MultiLineString, e.g. an OpenStreetMap export; name and highway/class kept); replaces the whole road layer; needs zhudun:write at the city-wide scope. Coordinates follow the GCJ-02 switch above.',
      roadsImported: 'Imported {n} roads, {km} km', roadsErrors: 'The road file has {n} errors; nothing was imported, the road layer is unchanged', roadsLayer: 'Road layer: {n} roads, {km} km, imported {at} by {by}',
    },
    safe: {
      title: 'Safe units', intro: 'Units apply for safe-unit certification; inspection, certification, refusal and revocation are recorded with dates and reasons.',
      name: 'Unit', kind: 'Kind', station: 'Station', status: 'Status', applied: 'Applied', decided: 'Decided', reason: 'Reason',
      apply: 'Record application', inspect: 'Inspect', certify: 'Certify', refuse: 'Refuse', revoke: 'Revoke', on: 'Date', district: 'District code', address: 'Address',
      kinds: { school: 'School', hospital: 'Hospital', market: 'Market', enterprise: 'Enterprise' },
      st: { applied: 'Applied', inspected: 'Inspected', certified: 'Certified', refused: 'Refused', revoked: 'Revoked' },
      crit: { security_org: 'Security organisation and staff', rules: 'Internal security rules', guards: 'Gate duty and patrols', video: 'Video on key parts', alarm: 'Intrusion and one-button alarms linked',
        fire: 'Fire facilities in order', key_parts: 'Key parts protected', no_case_year: 'No major case in a year', drills: 'Emergency plans and drills', ebike_compliance: 'E-bikes parked and charged properly' },
      saved: 'Saved',
    },
    stats: {
      title: 'Zhudun statistics', intro: 'Figures as at the chosen day, beside the same day last year.', at: 'Day', dept: 'Department code', run: 'Show', figure: 'Figure', value: 'Now', lastYear: 'Last year', change: 'Change',
      communities: 'Communities', smart_communities: 'Smart-security communities', cameras_online: 'Cameras online', cameras_offline: 'Cameras offline', video_coverage_pct: 'Video coverage (%)', road_coverage_pct: 'Road coverage (%)', safe_units: 'Safe units',
    },
  },
}
