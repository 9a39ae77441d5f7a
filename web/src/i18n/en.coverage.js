// Patrol plans and coverage (English): the plan editor, the map's coverage
// layer, the coverage part of the patrol statistics. Keys as in zh-CN.coverage.js.
export default {
  nav: { patrolPlans: 'Patrol plans' },
  actions: {
    patrol_plan_create: 'Create patrol plan', patrol_plan_update: 'Change patrol plan', patrol_plan_delete: 'Delete patrol plan',
    patrol_visits_export: 'Export checkpoint visits',
  },
  actionPrefix: { patrol_plan: 'Patrol plans' },
  objectType: { patrol_plan: 'Patrol plan', patrol_visits: 'Checkpoint visits' },
  events: { patrol_plan_changed: 'Patrol plan changed' },
  coverage: {
    layer: 'Checkpoint coverage', layerN: 'Checkpoint coverage ({n})', visited: 'Visited', notVisited: 'Not yet visited',
    gridShade: 'Grid shaded by coverage of the shift under way', noShift: 'No shift under way', shiftOf: 'Shift {shift} of {date}',
    percent: 'Coverage', list: 'Checkpoints of the shift under way',
    title: 'Patrol coverage (checkpoints)', intro: 'Checkpoint visits made of those the plans required, per shift, compared with the same period last year.',
    planned: 'Planned', made: 'Visited', lastYear: 'Same period last year', changePoints: 'Change (points)',
    total: 'Whole scope', stations: 'By station', grids: 'By grid', units: 'By unit', shifts: 'By shift',
    station: 'Station', grid: 'Grid', unit: 'Unit', shift: 'Shift', none: 'No coverage recorded in this period',
    note: 'A checkpoint counts as visited when a unit\'s track passes within its radius inside the window (the line between fixes counts; a fix that would need more than 200 km/h is ignored). A unit\'s coverage is of its own station\'s grids.',
  },
  plans: {
    title: 'Patrol plans', intro: 'Checkpoints each grid\'s units must pass, and when. Click the map to place a checkpoint; drag the radius field to size it.',
    grid: 'Grid', pickGrid: 'Choose a grid', name: 'Plan name', none: 'This grid has no patrol plan yet.', create: 'Create plan', save: 'Save', delete: 'Delete plan',
    confirmDelete: 'Delete the patrol plan of grid {grid}? Its visits and coverage stay.', saved: 'Plan saved', deleted: 'Plan deleted', version: 'version {v}',
    checkpoints: 'Checkpoints', code: 'Code', cpName: 'Name', lon: 'Longitude', lat: 'Latitude', radius: 'Radius (m)', remove: 'Remove',
    addHint: 'Click inside the grid on the map to add a checkpoint.', shifts: 'Shifts', shiftName: 'Shift', start: 'Start', end: 'End', addShift: 'Add shift',
    windows: 'Time windows', times: 'Times', addWindow: 'Add window', windowCps: 'Checkpoints', crossMidnight: 'an end not after the start crosses midnight',
    readOnly: 'You can read this plan; changing it needs grid:write on its station.',
  },
}
