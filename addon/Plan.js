// @ts-check
// Applying the service's write plan safely, decided by pure functions: A1 ranges, whether the plan stays in
// computed cells and service tabs, whether a row still holds what was read, and grouping the writes into few
// rectangles. Sync.js only reads the sheets and calls setValues with what these return.

/** Column number (1-based) → letters: 1 → A, 27 → AA. */
function colLetters_(col) {
  let out = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/**
 * A1 notation of a rectangle: `K2`, `K2:M9`.
 * @param {number} row
 * @param {number} col
 * @param {number=} numRows
 * @param {number=} numCols
 */
function a1Of_(row, col, numRows, numCols) {
  const first = colLetters_(col) + row;
  if ((numRows || 1) === 1 && (numCols || 1) === 1) return first;
  return first + ':' + colLetters_(col + (numCols || 1) - 1) + (row + (numRows || 1) - 1);
}

/**
 * `K2:M9`, `$K$2`, `'My tab'!A1:B2` → {tab, row, col, numRows, numCols}; null when it is not a bounded
 * rectangle (whole columns or rows have no size without the sheet).
 * @param {string} a1
 * @returns {{tab: string|null, row: number, col: number, numRows: number, numCols: number}|null}
 */
function parseA1_(a1) {
  const m = /^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$/.exec(String(a1).trim());
  if (!m) return null;
  const tab = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2] !== undefined ? m[2] : null;
  const number = (letters) => letters.toUpperCase().split('').reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
  const r1 = Number(m[4]);
  const c1 = number(m[3]);
  const r2 = m[6] ? Number(m[6]) : r1;
  const c2 = m[5] ? number(m[5]) : c1;
  if (r1 < 1 || r2 < 1) return null;
  return { tab, row: Math.min(r1, r2), col: Math.min(c1, c2), numRows: Math.abs(r2 - r1) + 1, numCols: Math.abs(c2 - c1) + 1 };
}

/** Every name, in either language, of the tabs the service owns and replaces whole (Org, History, Lists). */
function serviceTabNames_() {
  const out = [];
  ['org', 'history', 'lists'].forEach((key) => CATALOG_.languages.forEach((lang) => out.push(CATALOG_.tabs[key][lang])));
  return out;
}

/**
 * Where the plan would leave its lane, or null when it stays in it: every cell in a computed column of its
 * tab (header row excluded), every replaced tab a service tab. A plan that strays is refused whole: it means
 * the service and the add-on disagree on the workbook, and half a plan is worse than none.
 * @param {{cells: Array<{tab: string, row: number, col: number}>, computed: Object<string, number[]>, tabs: Array<{name: string}>}} plan
 * @returns {string|null}
 */
function planProblem_(plan) {
  const computed = plan.computed || {};
  for (const cell of plan.cells || []) {
    const cols = computed[cell.tab] || [];
    const ok = Number.isInteger(cell.row) && cell.row >= 2 && Number.isInteger(cell.col) && cols.indexOf(cell.col) >= 0;
    if (ok) continue;
    const a1 = Number.isInteger(cell.col) && Number.isInteger(cell.row) && cell.col > 0 && cell.row > 0;
    return "'" + cell.tab + "'!" + (a1 ? a1Of_(cell.row, cell.col) : cell.row + ',' + cell.col);
  }
  const service = serviceTabNames_();
  for (const tab of plan.tabs || []) {
    if (service.indexOf(tab.name) < 0 || tab.name in computed) return "'" + tab.name + "'";
  }
  return null;
}

/** Whether two values from getValues() are the same cell content (Dates by instant; '' and null alike). */
function sameCell_(a, b) {
  const blank = (v) => v === '' || v === null || v === undefined;
  if (blank(a) || blank(b)) return blank(a) && blank(b);
  if (isDate_(a) || isDate_(b)) return isDate_(a) && isDate_(b) && a.getTime() === b.getTime();
  return a === b;
}

/** grid[row-1][col-1], '' outside the grid (as an empty cell reads). */
function cellAt_(grid, row, col) {
  const line = grid[row - 1];
  return line && col - 1 < line.length ? line[col - 1] : '';
}

/**
 * Whether sheet row `row` still holds, in every column that is not computed, what the sync read there: if a
 * person inserted, deleted or sorted rows since, it does not, and its computed cells must not be written.
 * @param {Array<Array<*>>} read the tab's values at read time
 * @param {Array<Array<*>>} now the tab's values just before writing
 * @param {number[]} computed 1-based computed columns
 * @param {number} row
 */
function rowInPlace_(read, now, computed, row) {
  const width = Math.max((read[row - 1] || []).length, (now[row - 1] || []).length);
  for (let col = 1; col <= width; col++) {
    if (computed.indexOf(col) < 0 && !sameCell_(cellAt_(read, row, col), cellAt_(now, row, col))) return false;
  }
  return true;
}

/**
 * What setValues must be given so that the cell ends up holding `value`: text with a leading apostrophe,
 * because setValues parses a string as a person's typing ("=…" would become a formula, "12" a number,
 * "2025-02-14" a date; an apostrophe makes Sheets keep the text as typed and is not stored); null as "" (an
 * empty cell); numbers (date serials included: the target cells are date-formatted), booleans and Dates as
 * they are; a formula of the service's (`{"formula": "=…"}`, PROTOCOL.md) as the formula, which setValues enters.
 * @param {*} value
 * @returns {*}
 */
function writable_(value) {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') return "'" + value;
  if (typeof value === 'object' && typeof value.formula === 'string') return value.formula;
  if (isDate_(value)) return new Date(value.getTime());
  return value;
}

/** Sorted distinct numbers → runs of adjacent ones: [11, 12, 13, 16] → [[11, 13], [16, 16]]. */
function columnRuns_(cols) {
  const sorted = cols.filter((c, i) => cols.indexOf(c) === i).sort((a, b) => a - b);
  /** @type {Array<Array<number>>} */
  const runs = [];
  sorted.forEach((c) => {
    const last = runs[runs.length - 1];
    if (last && c === last[1] + 1) last[1] = c;
    else runs.push([c, c]);
  });
  return runs;
}

/**
 * The writes of one people's tab: per run of adjacent computed columns, one rectangle from the first to the
 * last row written, holding the planned value where there is one for a row still in place, else the value
 * just re-read (so the cells between are rewritten unchanged). A cell that cannot be rewritten unchanged (it
 * holds a formula: setValues would replace it by its result) is never covered: its row is written apart,
 * in pieces around it.
 * @param {string} tab
 * @param {Array<{row: number, col: number, value: *}>} cells the plan's cells of this tab
 * @param {number[]} computed the tab's computed columns
 * @param {Array<Array<*>>} read values at read time
 * @param {Array<Array<*>>} now values just before writing
 * @param {Array<Array<string>>} formulas getFormulas() of the same range as `now`
 * @param {number} maxRows the sheet's row count now
 * @returns {{writes: Array<{tab: string, row: number, col: number, values: Array<Array<*>>}>, cells: number, moved: number[]}}
 */
function tabWrites_(tab, cells, computed, read, now, formulas, maxRows) {
  /** @type {Object<number, boolean>} */
  const placed = {};
  /** @type {number[]} */
  const moved = [];
  cells.forEach((cell) => {
    if (cell.row in placed) return;
    placed[cell.row] = cell.row <= maxRows && rowInPlace_(read, now, computed, cell.row);
    if (!placed[cell.row]) moved.push(cell.row);
  });
  /** @type {Object<string, {value: *}>} */
  const planned = {};
  cells.forEach((cell) => { if (placed[cell.row]) planned[cell.row + ',' + cell.col] = { value: cell.value }; });
  const writes = [];
  let written = 0;
  columnRuns_(computed).forEach((run) => {
    const mine = cells.filter((cell) => placed[cell.row] && cell.col >= run[0] && cell.col <= run[1]);
    if (!mine.length) return;
    written += mine.length;
    const c0 = Math.min.apply(null, mine.map((cell) => cell.col));
    const c1 = Math.max.apply(null, mine.map((cell) => cell.col));
    const r0 = Math.min.apply(null, mine.map((cell) => cell.row));
    const r1 = Math.max.apply(null, mine.map((cell) => cell.row));
    // Each cell of the rectangle: {value} to write, or null where nothing may be written.
    const grid = [];
    for (let r = r0; r <= r1; r++) {
      const line = [];
      for (let c = c0; c <= c1; c++) {
        const plan = planned[r + ',' + c];
        if (plan) line.push({ value: writable_(plan.value), planned: true });
        else if (cellAt_(formulas, r, c)) line.push(null);
        else line.push({ value: writable_(cellAt_(now, r, c)), planned: false });
      }
      grid.push(line);
    }
    rectangles_(grid).forEach((rect) => {
      const values = grid.slice(rect.r, rect.r + rect.rows).map((line) => line.slice(rect.c, rect.c + rect.cols).map((x) => x.value));
      writes.push({ tab, row: r0 + rect.r, col: c0 + rect.c, values });
    });
  });
  return { writes, cells: written, moved };
}

/**
 * Few rectangles covering every planned cell of `grid` and no null one: runs of whole rows without a null,
 * trimmed to their first and last rows with a planned cell; a row with a null is cut into pieces between its
 * nulls, each trimmed to its planned cells.
 * @param {Array<Array<{value: *, planned: boolean}|null>>} grid
 * @returns {Array<{r: number, c: number, rows: number, cols: number}>}
 */
function rectangles_(grid) {
  const out = [];
  const hasPlan = (line) => line.some((x) => x && x.planned);
  const clean = (line) => line.every((x) => x !== null);
  let r = 0;
  while (r < grid.length) {
    if (clean(grid[r])) {
      let end = r;
      while (end + 1 < grid.length && clean(grid[end + 1])) end++;
      let first = r;
      let last = end;
      while (first <= last && !hasPlan(grid[first])) first++;
      while (last >= first && !hasPlan(grid[last])) last--;
      if (first <= last) out.push({ r: first, c: 0, rows: last - first + 1, cols: grid[r].length });
      r = end + 1;
      continue;
    }
    const line = grid[r];
    let c = 0;
    while (c < line.length) {
      while (c < line.length && line[c] === null) c++;
      let end = c;
      while (end + 1 < line.length && line[end + 1] !== null) end++;
      let first = c;
      let last = end;
      while (first <= last && !(line[first] && line[first].planned)) first++;
      while (last >= first && !(line[last] && line[last].planned)) last--;
      if (c < line.length && first <= last) out.push({ r, c: first, rows: 1, cols: last - first + 1 });
      c = end + 1;
    }
    r++;
  }
  return out;
}

/**
 * A service tab's write: its values from A1, padded to a rectangle, text kept as text.
 * @param {{name: string, values: Array<Array<*>>}} tab
 * @returns {{tab: string, row: number, col: number, values: Array<Array<*>>}|null}
 */
function serviceTabWrite_(tab) {
  const width = Math.max.apply(null, [0].concat((tab.values || []).map((line) => line.length)));
  if (!width) return null;
  const values = tab.values.map((line) => {
    const out = line.map(writable_);
    while (out.length < width) out.push('');
    return out;
  });
  return { tab: tab.name, row: 1, col: 1, values };
}

/**
 * The plan's cells by tab, in the order tabs first appear.
 * @param {Array<{tab: string, row: number, col: number, value: *}>} cells
 * @returns {Array<{tab: string, cells: Array<{tab: string, row: number, col: number, value: *}>}>}
 */
function cellsByTab_(cells) {
  const out = [];
  /** @type {Object<string, number>} */
  const index = {};
  (cells || []).forEach((cell) => {
    if (!(cell.tab in index)) {
      index[cell.tab] = out.length;
      out.push({ tab: cell.tab, cells: [] });
    }
    out[index[cell.tab]].cells.push(cell);
  });
  return out;
}

/**
 * How tabs grow, as the service sends it (`plan.room`; sync/backends/gsheets_growth.py).
 * @typedef {{min: number, per_row: number, service_per_row: number, grow_under: number}} Room
 */

/**
 * The free rows a tab of `used` rows (header included) is given: max(min, per_row × used rounded down); a
 * service tab (History, Org, Lists) service_per_row a row.
 * @param {Room} room
 * @param {number} used
 * @param {boolean=} service
 */
function roomFor_(room, used, service) {
  return Math.max(room.min, Math.floor((service ? room.service_per_row : room.per_row) * used));
}

/**
 * Rows to insert below the last used row of a people tab (OKRs, check-ins) before its computed cells are
 * written: none while its free rows are at least room // grow_under, else enough to give it its whole room
 * again, as the Google backend grows the same tab (gsheets_growth.short_of_room).
 * @param {Room|null|undefined} room null when the service does not say: the tab is left as it is
 * @param {number} used the tab's last used row
 * @param {number} maxRows the rows the tab has
 */
function peopleTabGrowth_(room, used, maxRows) {
  if (!room || used < 1) return 0;
  const want = roomFor_(room, used);
  return maxRows - used < Math.floor(want / room.grow_under) ? used + want - maxRows : 0;
}

/**
 * Rows to insert below what a service tab holds so that a rewrite of `rows` rows fits: none when it fits,
 * else enough for its room past them too (just enough when the service does not say).
 * @param {Room|null|undefined} room
 * @param {number} rows the rewrite's rows
 * @param {number} maxRows the rows the tab has
 */
function serviceTabGrowth_(room, rows, maxRows) {
  if (rows <= maxRows) return 0;
  return rows + (room ? roomFor_(room, rows, true) : 0) - maxRows;
}
