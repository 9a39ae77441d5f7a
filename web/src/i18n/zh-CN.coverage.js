// 巡逻方案与必到点覆盖：方案编辑、地图覆盖图层、巡防统计中的覆盖部分。
// 键与 en.coverage.js 一致，由 test/i18n.test.js 检查。
export default {
  nav: { patrolPlans: '巡逻方案' },
  actions: {
    patrol_plan_create: '新建巡逻方案', patrol_plan_update: '修改巡逻方案', patrol_plan_delete: '删除巡逻方案',
    patrol_visits_export: '导出必到点签到记录',
  },
  actionPrefix: { patrol_plan: '巡逻方案' },
  objectType: { patrol_plan: '巡逻方案', patrol_visits: '必到点签到记录' },
  events: { patrol_plan_changed: '巡逻方案已变更' },
  coverage: {
    layer: '必到点覆盖', layerN: '必到点覆盖（{n}）', visited: '已到', notVisited: '未到',
    gridShade: '网格按本班次覆盖率着色', noShift: '当前无班次', shiftOf: '{date} {shift} 班',
    percent: '覆盖率', list: '本班次必到点',
    title: '无警巡逻（必到点覆盖）', intro: '各班次方案要求的必到点到访次数与实际到访，与去年同期对比。',
    planned: '应到', made: '实到', lastYear: '去年同期', changePoints: '变化（百分点）',
    total: '全部范围', stations: '按派出所', grids: '按网格', units: '按警力', shifts: '按班次',
    station: '派出所', grid: '网格', unit: '警力', shift: '班次', none: '本期间无覆盖记录',
    note: '警力轨迹在时段内经过必到点半径范围即算到访（两次定位之间的连线也算；需超过 200 km/h 才能到达的定位视为漂移点，不计）。警力覆盖率按其所属派出所的网格计算。',
  },
  plans: {
    title: '巡逻方案', intro: '各网格警力必须经过的必到点及时段。在地图上点击放置必到点，半径可修改。',
    grid: '网格', pickGrid: '选择网格', name: '方案名称', none: '该网格尚无巡逻方案。', create: '新建方案', save: '保存', delete: '删除方案',
    confirmDelete: '删除网格 {grid} 的巡逻方案？已有到访记录与覆盖统计保留。', saved: '方案已保存', deleted: '方案已删除', version: '第 {v} 版',
    checkpoints: '必到点', code: '编号', cpName: '名称', lon: '经度', lat: '纬度', radius: '半径（米）', remove: '移除',
    addHint: '在地图上网格内点击即可添加必到点。', shifts: '班次', shiftName: '班次', start: '开始', end: '结束', addShift: '添加班次',
    windows: '巡逻时段', times: '次数', addWindow: '添加时段', windowCps: '必到点', crossMidnight: '结束不晚于开始即跨午夜',
    readOnly: '您可查看该方案；修改需要该所的 grid:write 权限。',
  },
}
