'use strict';
// Applies write plans through the add-on's real write path (Sync.js's applyPlan_) while a person edits the sheet
// between the read and the write, for tests/test_people_editing.py. stdin: a JSON list of cases
// `{tabs: [{name, values}], plan, edit}` (values as RAW API values; edit null, or {kind: insert|delete|sort|rename,
// tab, row, n, col, ascending, width, name}); stdout: per case `{applied: {planned, moved}, edited, tabs}`: the tabs
// [{name, values}] in their order just after the edit and after the write, each as getDataRange().getValues() with '' for blanks.
//   node addon/tests/apply_plan.js < cases.json

const { load, sheets } = require('./harness.js');

/** Data › Sort range over columns 1..width of rows row..row+n-1 only: the cells beside them stay. */
function sortTyped(sheet, edit) {
  const range = sheet.getRange(edit.row, 1, edit.n, edit.width);
  const rows = range.getValues();
  const key = (line) => (line[edit.col - 1] === '' ? null : line[edit.col - 1]);
  rows.sort((x, y) => { const a = key(x); const b = key(y); return a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? 1 : -1; });
  sheet.put(edit.row, 1, rows);
}

/** What a person does between the add-on's read and its write. */
function personEdits(ss, edit) {
  if (!edit) return;
  const sheet = ss.getSheetByName(edit.tab);
  if (edit.kind === 'insert') sheet.insertRowsBefore(edit.row, edit.n);
  else if (edit.kind === 'delete') sheet.deleteRows(edit.row, 1);
  else if (edit.kind === 'sort' && edit.width) sortTyped(sheet, edit);
  else if (edit.kind === 'sort') sheet.sortRows(edit.row, edit.row + edit.n - 1, edit.col, edit.ascending);
  else if (edit.kind === 'rename') sheet.setName(edit.name);
  else throw new Error('unknown edit ' + edit.kind);
}

function run(one) {
  const ss = new sheets.FakeSpreadsheet({ blank: false, locale: 'fr_CA', timeZone: 'America/Montreal', name: 'OKR', id: 'ss-1' });
  one.tabs.forEach((tab) => {
    const sheet = ss.insertSheet(tab.name);
    // As wide as what it holds (the Lists tab reaches column AF, the organisation's KRs).
    const width = Math.max(0, ...tab.values.map((row) => row.length));
    if (width > sheet.getMaxColumns()) sheet.insertColumnsAfter(sheet.getMaxColumns(), width - sheet.getMaxColumns());
    sheet.put(1, 1, tab.values);
  });
  const env = load({ spreadsheet: ss });
  const all = ss.getSheets();
  const reads = all.map((s) => ({ name: s.getName(), values: s.getDataRange().getValues() }));
  const dump = () => ss.getSheets().map((s) => ({ name: s.getName(), values: s.dump() }));
  personEdits(ss, one.edit);
  const edited = dump();
  const applied = env.ctx.applyPlan_(ss, all, one.plan, reads);
  return { applied, edited, tabs: dump() };
}

const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.map(run)));
