// Every text the page shows, in 中文 and English, and the helpers that name things.
import { state, store, KINDS } from './state.js';

const STRINGS = {
  city: ['郑州 · 规划可达性', 'Zhengzhou · planning reach'],
  searchPlaceholder: ['搜索地点：名称、拼音或坐标', 'Search a place: name, pinyin or coordinates'],
  origin: ['起点', 'Origin'],
  noOrigin: ['—', '—'],
  clear: ['清除', 'Clear'],
  remove: ['移除', 'Remove'],
  addOrigin: ['＋ 添加起点', '+ Add origin'],
  addingOrigin: ['请选择另一个起点：搜索或点击地图', 'Choose another origin: search or click the map'],
  originHint: ['搜索地点或点击地图空白处设为起点；点击要素查看详情。地图获得焦点时按 Enter 以地图中心为起点。', 'Search a place or click an empty spot on the map to set the origin; click a feature to read it. Enter on the focused map uses its centre.'],
  mode: ['方式', 'Mode'],
  mode_transit: ['公共交通', 'Transit'],
  mode_walk: ['步行', 'Walk'],
  mode_bike: ['自行车', 'Bike'],
  mode_drive: ['驾车', 'Drive'],
  minutes: ['时间', 'Minutes'],
  bands: ['分段', 'Bands'],
  band_single: ['单一时段', 'One band'],
  band_5: ['每 5 分钟', 'Every 5 min'],
  band_10: ['每 10 分钟', 'Every 10 min'],
  band_15: ['每 15 分钟', 'Every 15 min'],
  band_30: ['每 30 分钟', 'Every 30 min'],
  scenario: ['情景', 'Scenario'],
  depart: ['出发时间', 'Departure'],
  window: ['时间窗', 'Window'],
  percentile: ['百分位', 'Percentile'],
  window0: ['单次出发', 'One departure'],
  windowN: ['{w} 分钟内每分钟出发', 'Every minute for {w} min'],
  pct_5: ['第 5 百分位（最顺利）', '5th (best case)'],
  pct_25: ['第 25 百分位', '25th'],
  pct_50: ['第 50 百分位（中位数）', '50th (median)'],
  pct_75: ['第 75 百分位', '75th'],
  pct_95: ['第 95 百分位（最不利）', '95th (worst case)'],
  timingOn: ['按时刻表设定出发时间…', 'Set a departure time…'],
  timingOff: ['改回平均服务（不设出发时间）', 'Back to average service (no departure time)'],
  timingCalendar: ['时刻表日期：{a} 至 {b}。', 'Timetable dates: {a} to {b}.'],
  timingOne: ['选择时间窗可查看出行时间的百分位。', 'Choose a window to see percentiles of travel time.'],
  timingExistingOnly: ['时刻表只描述现状网络；此情景按平均服务计算。', 'Timetables describe the existing network only; this scenario is computed on average service.'],
  timingAt: ['{d} 出发', 'Departing {d}'],
  timingDefault: ['{d} 出发（默认）', 'Departing {d} (default)'],
  timingWindow: ['{w} 分钟时间窗', '{w}-minute window'],
  timingPct: ['第 {p} 百分位', 'percentile {p}'],
  errCalendar: ['{d} 不在时刻表日期内（{a} 至 {b}）。请选择此范围内的日期。', '{d} is outside the timetable’s dates ({a} to {b}). Choose a date in that range.'],
  errTiming: ['服务器无法使用这个出发时间设置。请检查出发时间、时间窗和百分位。', 'The server cannot use these departure settings. Check the departure, the window and the percentile.'],
  tabReach: ['可达范围', 'Reach'],
  tabCompare: ['规划对比', 'Compare'],
  tabTargets: ['规划目标', 'Plan targets'],
  natReading: ['读数', 'Reading'],
  nat_rail: ['铁路', 'Rail'],
  nat_road: ['公路', 'Road'],
  nat_air: ['航空', 'Air'],
  natCities: ['城市：{n} / {of}（{s}）', 'Cities: {n} of {of} ({s})'],
  natPeople: ['人口：{n} / {of} 百万（{s}）', 'People: {n} of {of} million ({s})'],
  natGoalCities: ['目标 2/3', 'goal 2/3'],
  natGoalPeople: ['目标 3/5', 'goal 3/5'],
  natCapitals: ['相邻省会（小时，✓ = ≤ {h} 小时）', 'Neighbouring capitals (hours, ✓ = ≤ {h} h)'],
  natShow: ['在全国地图上显示', 'Show on a map of China'],
  natBack: ['返回城市地图', 'Back to the city map'],
  natCityPick: ['城市详情', 'City details'],
  natAssumptions: ['全国目标的假设', 'Assumptions of the national targets'],
  natLegend: ['从郑州出发 {h} 小时内（{r}）', 'Within {h} h of Zhengzhou ({r})'],
  natWithin: ['{h} 小时内', 'Within {h} h'],
  natBeyond: ['超过 {h} 小时', 'More than {h} h'],
  natNone: ['无航空读数（150 公里内无机场）', 'No air reading (no airport within 150 km)'],
  natOrigin: ['郑州（出发地）', 'Zhengzhou (origin)'],
  natOffline: ['离线底图：只绘制地级市，不含省界和海岸线。', 'Offline basemap: only the prefecture-level cities are drawn, no provinces or coastline.'],
  natHoursFrom: ['从郑州出发的小时数', 'Hours from Zhengzhou'],
  natNoValue: ['无数值', 'no value'],
  natBeyondRange: ['超出数据范围', 'beyond the data\'s range'],
  natPop2010: ['2010 年人口 {n}', 'Population 2010: {n}'],
  bm_population: ['人口密度', 'Population density'],
  popLegend: ['常住人口密度（人/平方公里，2020 年普查，区内均匀分布）', 'Residents per km² (2020 census, uniform over each district)'],
  tabAccess: ['可达性分析', 'Accessibility'],
  tabScenario: ['情景编辑', 'Scenario'],
  scnIntro: ['编辑网络，看看会改变什么：编辑只用于本页的查询，叠加在上方所选情景之上。', 'Edit the network and see what changes: the edits apply to this page’s queries only, on top of the scenario chosen above.'],
  scnBase: ['基础情景：{s}', 'Starting from: {s}'],
  scnDraw: ['＋ 新线路', '+ New line'],
  scnPickStop: ['删除车站', 'Remove a station'],
  scnDrawHint: ['依次点击地图上的车站、地点或空白处（新站）。', 'Click stations, places or empty spots (new stops) on the map, in order.'],
  scnPickStopHint: ['点击地图上要删除的车站。', 'Click the station to remove on the map.'],
  scnNewStop: ['新站', 'new stop'],
  scnNewStopN: ['新站 {n}', 'New stop {n}'],
  scnName: ['名称', 'Name'],
  scnLineName: ['新线路 {n}', 'New line {n}'],
  scnHeadway: ['间隔（分钟）', 'Headway (min)'],
  scnSpeed: ['速度（公里/时）', 'Speed (km/h)'],
  scnAddLineBtn: ['添加线路', 'Add the line'],
  scnLine: ['线路', 'Line'],
  scnSetHeadway: ['设定间隔', 'Set headway'],
  scnRemoveLine: ['删除线路', 'Remove the line'],
  scnEdits: ['编辑（{n}）', 'Edits ({n})'],
  scnNoEdits: ['还没有编辑。', 'No edits yet.'],
  scnShare: ['分享', 'Share'],
  scnCopy: ['复制链接', 'Copy link'],
  scnCopied: ['已复制', 'Copied'],
  scnJson: ['编辑 JSON', 'Edits as JSON'],
  scnClear: ['清除编辑', 'Clear edits'],
  scnEmpty: ['选择起点，查看编辑带来的变化。', 'Choose an origin to see what the edits change.'],
  scnMode_rail: ['铁路', 'Rail'],
  scnMode_metro: ['地铁', 'Metro'],
  scnMode_tram: ['有轨电车', 'Tram'],
  scnMode_bus: ['公交', 'Bus'],
  scnAddLine: ['＋ {n}（{mode}）：{s}，每 {h} 分钟，{v} 公里/时', '+ {n} ({mode}): {s}, every {h} min, {v} km/h'],
  scnHeadwayOf: ['{r}：每 {h} 分钟一班', '{r}: every {h} min'],
  scnRemoveRoute: ['删除 {r}', 'Remove {r}'],
  scnRemoveStops: ['删除车站 {s}', 'Remove station {s}'],
  scnTooMany: ['最多 {n} 项编辑。', 'At most {n} edits.'],
  scnBadNumbers: ['间隔和速度必须是正数。', 'Headway and speed must be positive numbers.'],
  scnEditRefused: ['第 {n} 项编辑无法应用（{f}）：{e}。请修改或删除它。', 'Edit {n} cannot be applied ({f}): {e}. Change or remove it.'],
  scnCopyNamed: ['复制“{s}”的修改以便编辑', 'Copy the changes of “{s}” to edit them'],
  scnRefused: ['这些编辑无法应用。请检查编辑列表。', 'These edits cannot be applied. Check the list of edits.'],
  scnSummary: ['编辑后 {m} 分钟内可达 {n} 个要素（编辑前 {b} 个）', '{n} features within {m} min with the edits ({b} without)'],
  scnWithout: ['编辑前', 'without'],
  scnHash: ['情景指纹', 'Scenario hash'],
  scnNoEditsYet: ['还没有编辑：下面是基础情景本身。', 'No edits yet: this is the starting scenario itself.'],
  scnOnly: ['仅在编辑后可达（{n}）', 'Reached only with the edits ({n})'],
  scnFaster: ['编辑后更快（{n}）', 'Faster with the edits ({n})'],
  scnSlower: ['编辑后更慢或不可达（{n}）', 'Slower or lost with the edits ({n})'],
  scnNone: ['无。', 'None.'],
  scnLegend: ['情景编辑', 'Scenario edits'],
  scnWithoutEdits: ['编辑前可达', 'reached without the edits'],
  scnAdded: ['编辑后新增', 'added by the edits'],
  accIntro: ['网格中每个单元（以单元中心为起点）在时限内可达的机会数量。', 'How many opportunities each grid cell reaches within the time limit (each cell from its centre).'],
  accOpp: ['机会', 'Opportunities'],
  accOppAll: ['全部规划要素', 'All planning features'],
  accOpp_commercial: ['商业', 'Commercial'],
  accOpp_cultural: ['文化', 'Cultural'],
  accOpp_transport_hub: ['交通枢纽', 'Transport hubs'],
  accOpp_free_trade_zone: ['自贸区', 'Free trade zone'],
  accOppStations: ['车站', 'Stations'],
  accCutoff: ['时限', 'Within'],
  accCompare: ['对比情景', 'Compare with'],
  accNoCompare: ['不对比', 'No comparison'],
  accCell: ['网格', 'Cell'],
  accArea: ['范围：中心城区（中原、二七、管城、金水、惠济），{c} 米网格。', 'Area: the central districts (Zhongyuan, Erqi, Guancheng, Jinshui, Huiji), {c} m cells.'],
  accRun: ['运行', 'Run'],
  accCancel: ['取消', 'Cancel'],
  accRunning: ['正在计算：{d} / {n} 个单元', 'Computing: {d} of {n} cells'],
  accStarting: ['正在开始…', 'Starting…'],
  accDone: ['完成：{n} 个单元，用时 {s} 秒。', 'Done: {n} cells in {s} s.'],
  accCancelled: ['已取消。', 'Cancelled.'],
  accFailed: ['计算失败：{e}', 'The analysis failed: {e}'],
  accShow: ['显示', 'Show'],
  accShowDiff: ['差值', 'Difference'],
  accMeasure: ['{m} 分钟内可达{o}', '{o} within {m} min'],
  accDiffTitle: ['{c} 相对 {b}：{m} 分钟内{o}的变化', '{c} vs {b}: change in {o} within {m} min'],
  accUnder: ['光标处：{v}', 'Under the cursor: {v}'],
  accScenarioMeasure: ['{s}：{m}', '{s}: {m}'],
  accHere: ['此处：{v}', 'Here: {v}'],
  accAtCentre: ['地图中心：{v}', 'At the map centre: {v}'],
  accNoCell: ['不在网格内', 'outside the grid'],
  accUnreached: ['不可达', 'not reached'],
  accDistricts: ['各区（单元平均值）', 'Districts (mean over cells)'],
  accDistrict: ['区', 'District'],
  accCells: ['单元', 'Cells'],
  accDiff: ['差值', 'Change'],
  accHist: ['收益分布（单元数）', 'Gains (cells)'],
  accHistSummary: ['{g} 个单元增加，{u} 个不变，{l} 个减少。', '{g} cells gain, {u} unchanged, {l} lose.'],
  accHistNone: ['没有单元增加。', 'No cell gains.'],
  accHistRange: ['+{a} 至 +{b}', '+{a} to +{b}'],
  accHistOnlyCompare: ['选择对比情景以查看收益分布。', 'Choose a scenario to compare with to see the gains.'],
  accOppUnit: ['个', ''],
  accLegendZero: ['0', '0'],
  accLegendSame: ['不变', 'no change'],
  reachEmpty: ['尚无结果。选择起点以查看可达范围。', 'No reach yet. Choose an origin to see what can be reached.'],
  compareEmpty: ['选择起点，对比规划情景与现状网络。', 'Choose an origin to compare the plan with the existing network.'],
  download: ['GeoJSON', 'GeoJSON'],
  downloadCsv: ['CSV', 'CSV'],
  downloadPng: ['图片 PNG', 'Image PNG'],
  exportTitle: ['导出', 'Export'],
  layers: ['图层', 'Layers'],
  home: ['回到全市视图', 'Back to the whole city'],
  planningFeatures: ['规划要素', 'Planning features'],
  status: ['状态', 'Status'],
  st_existing: ['现状', 'Existing'],
  st_planned: ['规划、在建、拟建', 'Planned, building, proposed'],
  basemap: ['底图', 'Basemap'],
  bm_transit: ['地铁与铁路', 'Metro and rail'],
  bm_districts: ['行政区', 'Districts'],
  bm_online: ['在线底图 OSM（需联网）', 'Online tiles, OSM (needs internet)'],
  lineLegend: ['线路', 'Lines'],
  plannedLink: ['规划线路（虚线）', 'Planned link (dashed)'],
  computing: ['正在计算可达范围…', 'Computing reach…'],
  reachedWithin: ['{n} 个要素在 {m} 分钟内可达', '{n} features reached within {m} min'],
  reachedWithin1: ['{n} 个要素在 {m} 分钟内可达', '{n} feature reached within {m} min'],
  area: ['面积', 'area'],
  min: ['分钟', 'min'],
  noneReached: ['此时段内没有可达要素。', 'No features in this band.'],
  bandRange: ['{a}–{b} 分钟', '{a}–{b} min'],
  reachFromHere: ['以此为起点', 'Reach from here'],
  addAsOrigin: ['添加为起点', 'Add as origin'],
  showRoute: ['在地图上显示路线', 'Show the route on the map'],
  routeTo: ['到 {n} 的路线', 'Route to {n}'],
  kind: ['类别', 'Kind'],
  statusL: ['状态', 'Status'],
  asOf: ['状态年份', 'Status as of'],
  district: ['行政区', 'District'],
  areaKm2: ['面积', 'Area'],
  aliases: ['别名', 'Aliases'],
  sources: ['来源', 'Sources'],
  position: ['定位', 'Position'],
  accuracy: ['精度', 'Accuracy'],
  anchor: ['参照', 'Anchor'],
  line: ['第 {n} 行', 'line {n}'],
  reachedL: ['可达', 'Reached'],
  existing: ['现状', 'existing'],
  under_construction: ['在建', 'under construction'],
  planned: ['规划', 'planned'],
  proposed: ['拟建', 'proposed'],
  pass: ['达标', 'pass'],
  fail: ['未达标', 'fail'],
  unreached: ['不可达', 'unreached'],
  not_evaluable: ['无法评估', 'not evaluable'],
  target: ['目标', 'target'],
  computed: ['计算', 'computed'],
  targetKm: ['目标约 {k} 公里', 'target about {k} km'],
  assumptions: ['假设', 'Assumptions'],
  showReach: ['查看可达范围', 'Show reach'],
  targetsFor: ['情景“{s}”下的规划目标', 'Plan targets under “{s}”'],
  noTargets: ['没有规划目标。', 'No plan targets.'],
  noteEn: ['说明（英文）：', 'Note: '],
  cmpIntro: ['从 {o} 出发，{mode}，{m} 分钟：{plan} 相对于 {base}。', 'From {o}, {mode}, {m} min: {plan} against {base}.'],
  cmpBase: ['现状可达', 'reached today'],
  cmpGain: ['规划新增', 'added by the plan'],
  band: ['时段', 'Band'],
  delta: ['变化', 'Change'],
  features: ['要素', 'Features'],
  onlyPlan: ['仅在规划情景中可达（{n}）', 'Reached only with the plan ({n})'],
  faster: ['规划情景下更快（{n}）', 'Faster with the plan ({n})'],
  nothingAdded: ['规划没有在此时间内增加可达要素。', 'The plan adds no reached features within this time.'],
  noAreaAdded: ['在此时间内，规划没有带来变化：范围和可达要素都相同。', 'The plan changes nothing here within this time: same area, same features.'],
  streetModel: ['街道模型', 'Street model'],
  crowFly: ['没有真实街道网络：步行按直线距离 × 1.3、时速 4.8 公里估算，河流、铁路和封闭街区不会阻隔，结果偏乐观。', 'No real street network: walking is a straight line × 1.3 at 4.8 km/h, so rivers, railways and closed blocks do not block it and times are optimistic.'],
  noMatch: ['未找到“{q}”。', 'No place matches “{q}”.'],
  didYouMean: ['您是否要找：', 'Did you mean:'],
  coordinates: ['坐标', 'coordinates'],
  station: ['车站', 'station'],
  metroStation: ['地铁站', 'Metro station'],
  railStation: ['铁路车站', 'Rail station'],
  origin_point: ['地图上的点', 'Point on the map'],
  dlCompare: ['下载两种情景 GeoJSON', 'Download both as GeoJSON'],
  legendReach: ['可达时间', 'Travel time'],
  legendCompare: ['规划对比', 'Plan comparison'],
  sameScenario: ['请选择一个规划情景以对比现状。', 'Choose a plan scenario to compare with the existing network.'],
  headway: ['发车间隔 {m} 分钟', 'every {m} min'],
  // Trip steps
  stepWalk: ['步行 {m} 分钟', 'Walk {m} min'],
  stepWalkTo: ['步行 {m} 分钟到 {to}', 'Walk {m} min to {to}'],
  stepWait: ['在 {s} 候车 {m} 分钟', 'Wait {m} min at {s}'],
  stepTransfer: ['（含换乘 {p} 分钟）', ' (incl. {p} min transfer)'],
  stepRide: ['乘 {r}：{a} → {b}，{n} 站，{m} 分钟', '{r}: {a} → {b}, {n} stops, {m} min'],
  stepRide1: ['乘 {r}：{a} → {b}，1 站，{m} 分钟', '{r}: {a} → {b}, 1 stop, {m} min'],
  atOrigin: ['就在起点', 'At the origin'],
  stepTimetable: ['乘公共交通到 {to}：{m} 分钟（第 {p} 百分位）', 'Transit to {to}: {m} min (percentile {p})'],
  stepLeaving: ['按 {c} 出发的行程：', 'Trip leaving at {c}:'],
  jRide: ['{a} 在 {s} 乘 {r} → {b} 在 {e} 下车', '{a} board {r} at {s} → {b} alight at {e}'],
  jWalk: ['{a} 从 {s} 步行 → {b} 到达 {e}', '{a} walk from {s} → {b} at {e}'],
  // Errors: what happened and what to do next.
  errNetwork: ['无法连接服务器（{p}）。请确认 cityreach serve 正在运行，然后刷新页面。', 'Cannot reach the server ({p}). Check that cityreach serve is running, then reload the page.'],
  errBusy: ['服务器正忙。请稍候几秒再试。', 'The server is busy. Try again in a few seconds.'],
  errNotFound: ['找不到这个地点。请按名称、拼音或“经度,纬度”搜索，或点击地图。', 'This place is not known. Search by name, pinyin or “lon, lat”, or click the map.'],
  errBadInput: ['服务器无法使用这个输入。请检查起点和参数后重试。', 'The server cannot use this input. Check the origin and the settings, then try again.'],
  errServer: ['服务器出错（{c}）。请稍后重试。', 'The server failed ({c}). Try again later.'],
  errOutside: ['{p} 不在{city}范围内（经度 {w}–{e}，纬度 {s}–{n}）。请在地图上点选，或按名称搜索；⌂ 按钮回到全市视图。', '{p} is outside {city} (longitude {w}–{e}, latitude {s}–{n}). Click a point on the map or search by name; the ⌂ button brings back the whole city.'],
  errCoords: ['“{q}”不是有效坐标。请输入“经度, 纬度”，例如 113.6598, 34.7536。', '“{q}” is not a valid coordinate. Type “lon, lat”, for example 113.6598, 34.7536.'],
  errDetail: ['服务器说明', 'Server says'],
  cityName: ['郑州', 'Zhengzhou'],
  areaCircle: ['图上以同面积圆表示，数据中没有边界。', 'Drawn as a circle of this area; the data has no boundary.'],
  pngFailed: ['无法生成图片：{e}', 'The image could not be made: {e}'],
};

// Scenario names as planners say them; the server's own name is kept as the tooltip.
const SCENARIO_NAMES = {
  existing: ['现状网络（2026 年地铁及主要车站间的城际、高铁）', 'Existing network (2026 metro and rail between the main stations)'],
  'plan-2025': ['2025 规划（新增小李庄站及其连接线）', 'Plan 2025 (adds 小李庄站 and its links)'],
};

// The five planning documents the catalog cites (titles from geodata/zhengzhou/SOURCES.md).
const DOCS = {
  '000_2e4118b01e10da6a.txt': ['管城回族区创建国际消费中心城市实施方案（2022）', 'Guancheng Hui District consumption-centre plan (2022)'],
  '001_c0f7cb494004896f.txt': ['培育国际消费中心城市总体方案', 'National plan for international consumption-centre cities'],
  '002_0720eef369aa0c40.txt': ['郑州市 2017 年提升对外开放水平推进城市国际化实施方案', 'Zhengzhou 2017 internationalisation plan'],
  '003_b18cb7838db816cd.txt': ['中国（河南）自由贸易试验区郑州片区产业发展规划（2018）', 'FTZ Zhengzhou-area industry plan (2018)'],
  '004_f6b26a26c27aa93e.txt': ['郑州市“十四五”规划和 2035 年远景目标纲要（2021）', 'Zhengzhou 14th Five-Year Plan and 2035 goals (2021)'],
};

const zh = () => state.lang === 'zh';

export function t(key, vars) {
  const pair = STRINGS[key];
  let s = pair ? pair[zh() ? 0 : 1] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
// GTFS romanisations come as "JinShui DongLu"; place names are written "Jinshui Donglu".
export function properName(s) {
  if (!s || /[^\x00-\x7f]/.test(s)) return s || '';
  return s.split(' ').map((w) => (/^[A-Z][a-z]+[A-Z][a-z]/.test(w) ? w[0] + w.slice(1).toLowerCase() : w)).join(' ');
}
export function nameOf(p) {
  if (!p) return '';
  return zh()
    ? (p.name_zh || p.name_en || p.name || p.id || '')
    : (properName(p.name_en) || properName(p.name_pinyin) || p.name_zh || p.name || p.id || '');
}
export function altNameOf(p) {
  if (!p) return '';
  const other = zh() ? properName(p.name_en) : p.name_zh;
  return other && other !== nameOf(p) ? other : '';
}
export function fmtMin(m) {
  if (m == null || Number.isNaN(Number(m))) return '–';
  const n = Number(m);
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
export function kindLabel(k) { return KINDS[k] ? KINDS[k][state.lang] : (k || ''); }
export function statusLabel(s) { return STRINGS[s] ? t(s) : (s || ''); }
export function scenarioName(id, fallback) {
  if (SCENARIO_NAMES[id]) return SCENARIO_NAMES[id][zh() ? 0 : 1];
  const s = store.scenarios.find((x) => x.id === id);
  return (s && s.name) || fallback || id;
}
export function docTitle(doc) { return DOCS[doc] ? DOCS[doc][zh() ? 0 : 1] : doc; }
export function sourceText(s) { return `${docTitle(s.doc)}, ${t('line', { n: s.line })}`; }
// A line's name in the current language: "1号线" / "Line 1".
// A scenario link rides as route "plan-2025:xlz-east"; the map lists it as "plan-2025-link-xlz-east".
export function lineOf(routeId) {
  const id = String(routeId ?? '');
  const i = id.indexOf(':');
  return store.lines.get(id) || (i > 0 ? store.lines.get(`${id.slice(0, i)}-link-${id.slice(i + 1)}`) : undefined);
}
export function routeName(routeId, fallback) {
  const l = lineOf(routeId);
  if (l) return zh() ? (l.short_name || l.name_zh || l.name) : (l.long_name || l.name_en || l.name);
  return fallback || routeId || '';
}
function placeName(s) {
  // Stop names come from the feed in Chinese; a catalog id is shown by its name.
  const rec = store.catalog.get(String(s));
  return rec ? nameOf(rec.properties) : s;
}
// One trip step as a sentence a planner reads.
export function legText(l) {
  if (!l || typeof l !== 'object') return String(l ?? '');
  const m = fmtMin(l.minutes);
  if (l.type === 'wait') {
    return t('stepWait', { s: l.stop, m }) + (l.transfer_penalty_minutes ? t('stepTransfer', { p: fmtMin(l.transfer_penalty_minutes) }) : '');
  }
  if (l.type === 'timetable') return timetableSteps(l).join('; ');
  if (l.type === 'ride') {
    return t(l.stops === 1 ? 'stepRide1' : 'stepRide', { r: routeName(l.route_id, l.route), a: l.from, b: l.to, n: l.stops, m });
  }
  const to = l.to && l.from !== 'stop' && !store.catalog.has(String(l.to)) ? placeName(l.to) : '';
  return to ? t('stepWalkTo', { m, to }) : t('stepWalk', { m });
}
// One ride or walk of a timetabled journey, as the server states it ("14:31 board 244 at A →
// 14:35 alight at B"), re-said in the page's language; anything else is shown as sent.
export function journeyText(line) {
  const s = String(line ?? '');
  let m = /^(\d{1,2}:\d\d) board (.+) at (.+?) → (\d{1,2}:\d\d) alight at (.+)$/.exec(s);
  if (m) return t('jRide', { a: m[1], r: m[2], s: m[3], b: m[4], e: m[5] });
  m = /^(\d{1,2}:\d\d) walk from (.+?) → (\d{1,2}:\d\d) at (.+)$/.exec(s);
  if (m) return t('jWalk', { a: m[1], s: m[2], b: m[3], e: m[4] });
  return s;
}
// A timetable leg as steps: where it goes and in what time, then the clock times of one trip.
export function timetableSteps(l) {
  const head = t('stepTimetable', { to: l.to, m: fmtMin(l.minutes), p: l.percentile ?? 50 });
  const journey = Array.isArray(l.journey) ? l.journey.map(journeyText) : [];
  return journey.length ? [head, `${t('stepLeaving', { c: l.leaving || '' })} ${journey[0]}`, ...journey.slice(1)] : [head];
}
export function legsText(legs) {
  if (!Array.isArray(legs) || !legs.length) return '';
  // A zero-minute walk (the feature is at the stop) is no step a reader needs.
  const steps = legs.filter((l) => !(l && l.type !== 'ride' && Number(l.minutes) === 0));
  return (steps.length ? steps : legs).map(legText).join(' → ');
}
