// The web UI in Chromium (playwright-core, Debian's /usr/bin/chromium): sign in, find a user,
// open their access, complete a review as a reviewer (certify one, revoke one with a
// justification), request and approve just-in-time access, deactivate a user through a plan
// that waits for a second admin (the planner cannot approve it; the second admin does),
// download the evidence; axe-core
// finds no serious or critical violation on the main pages, at 1400 px and on a 390 px phone
// (where no page scrolls sideways); screenshots of each at both widths.
const { chromium } = require('playwright-core');
const axe = require('axe-core');
const assert = require('assert');
const fs = require('fs');

const { BASE, ADMIN_KEY, SECOND_ADMIN_KEY, REVIEWER_KEY, REQUESTER_KEY, SHOTS } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

async function audit(page, name) {
  // The pages forbid scripts (CSP); the audit contexts bypass it to inject axe.
  await page.addScriptTag({ content: axe.source });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepStrictEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 2).map((n) => n.html).join(' | ')}`), [], `${name}: axe`);
  // A laptop and a phone: at 390 px the page does not scroll sideways (tables scroll inside
  // themselves), and the phone's page is audited too.
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 900 });
  // A tall page's full-page shot took over the default 30 s once on a loaded 2-core machine.
  await page.screenshot({ path: `${SHOTS}/${name}-1400.png`, fullPage: true, timeout: 120000 });
  await page.screenshot({ path: `${SHOTS}/${name}-1400-top.png`, timeout: 120000 });
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${name}: the page is ${wide} px wide on a 390 px phone`);
  const phone = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const badPhone = phone.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepStrictEqual(badPhone.map((v) => v.id), [], `${name} at 390 px: axe`);
  await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true, timeout: 120000 });
  await page.screenshot({ path: `${SHOTS}/${name}-390-top.png`, timeout: 120000 });
  await page.setViewportSize(before);
  console.log(`  ${name}: ${r.violations.length} minor/moderate axe findings, none serious; 1400 and 390 px`);
}

async function signIn(browser, key) {
  const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/ui/login`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${BASE}/ui/`);
  return page;
}

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    // The CSP holds in a normal context: the stylesheet loads, no inline script would run.
    const plain = await (await browser.newContext()).newPage();
    const errors = [];
    plain.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await plain.goto(`${BASE}/ui/login`);
    const bg = await plain.locator('button').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.strictEqual(bg, 'rgb(11, 83, 148)', 'the stylesheet applies under the CSP');
    assert.deepStrictEqual(errors, [], 'no CSP violations on the sign-in page');
    await plain.keyboard.press('Tab');
    assert.strictEqual(await plain.evaluate(() => document.activeElement.textContent), 'Skip to content', 'keyboard: the skip link comes first');
    const probe = await (await browser.newContext({ bypassCSP: true })).newPage();
    await probe.goto(`${BASE}/ui/login`);
    await audit(probe, 'login');
    // The audit can fail: an unlabelled field is caught.
    await probe.evaluate(() => document.querySelector('form').insertAdjacentHTML('beforeend', '<input name="x">'));
    const seen = await probe.evaluate(() => window.axe.run(document).then((r) => r.violations.map((v) => v.id)));
    assert.ok(seen.includes('label'), `axe flags an unlabelled input: ${seen}`);

    // An admin: the dashboard, find a user, open their access.
    const admin = await signIn(browser, ADMIN_KEY);
    assert.ok(await admin.getByRole('heading', { name: 'Account acme' }).isVisible());
    await audit(admin, 'dashboard');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    const email = (await admin.locator('tbody tr').nth(3).locator('td').nth(1).textContent()).trim();
    await admin.getByLabel('E-mail or name contains').fill(email.split('@')[0]);
    await admin.getByRole('button', { name: 'Search' }).click();
    assert.ok(await admin.getByRole('cell', { name: email }).isVisible(), 'found by e-mail');
    await audit(admin, 'users');
    await admin.locator('tbody tr').first().locator('a').click();
    await admin.getByRole('heading', { name: /^Access \(\d+\)$/ }).waitFor();
    await audit(admin, 'user');
    console.log(`  found ${email} and opened their access`);

    // A reviewer: certify one item, revoke one with a justification.
    const rita = await signIn(browser, REVIEWER_KEY);
    await rita.goto(`${BASE}/ui/a/acme/reviews`);
    await rita.getByRole('link', { name: 'Q4 board access' }).click();
    const boxes = rita.locator('input[name=item]:not([disabled])');
    await boxes.nth(0).check();
    await rita.getByRole('button', { name: 'Certify selected' }).click();
    await rita.waitForLoadState();
    const rows = rita.locator('tbody tr');
    assert.match(await rows.nth(0).textContent(), /certify/);
    // Revoking without a justification is refused on the same page, the tick kept.
    await boxes.nth(1).check();
    await rita.getByRole('button', { name: 'Revoke selected' }).click();
    await rita.waitForLoadState();
    await rita.getByRole('alert').waitFor();
    assert.match(await rita.getByRole('alert').textContent(), /give a justification/);
    assert.ok(await boxes.nth(1).isChecked(), 'the refused form keeps the selection');
    await audit(rita, 'review-refused');
    await boxes.nth(1).check();
    await rita.getByLabel('Justification (required to revoke, and for your own access)').fill('moved to another team');
    await rita.getByRole('button', { name: 'Revoke selected' }).click();
    await rita.waitForLoadState();
    assert.match(await rows.nth(1).textContent(), /revoke: moved to another team/);
    await audit(rita, 'review');
    console.log('  the reviewer certified one item and revoked one');
    // Only the items recommended for revoking; then those as recommended, with one
    // justification; then the rest; then she signs off.
    await rita.getByRole('link', { name: 'Show only items recommended for revoking' }).click();
    await rita.waitForLoadState();
    const recs = await rita.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(recs.length > 0 && recs.every((t) => /revoke/.test(t)), `only items recommended for revoking: ${recs.length}`);
    await audit(rita, 'review-filtered');
    // By one signal, from the filter form: every row shown carries that reason.
    await rita.getByLabel('Recommendation', { exact: true }).selectOption({ label: 'inactive 90 days or more, or never seen' });
    await rita.getByRole('button', { name: 'Show' }).click();
    await rita.waitForLoadState();
    const idle = await rita.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(idle.length > 0 && idle.every((t) => /no activity/.test(t)), `only idle users: ${idle.slice(0, 3)}`);
    // Access that breaks the configuration's separation-of-duties rule, marked at launch.
    await rita.getByLabel('Recommendation', { exact: true }).selectOption({ label: 'separation-of-duties conflicts' });
    await rita.getByRole('button', { name: 'Show' }).click();
    await rita.waitForLoadState();
    const conflicts = await rita.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(conflicts.length > 0 && conflicts.every((t) => /separation-of-duties rule admins own no boards/.test(t)),
      `only conflicts: ${conflicts.slice(0, 3)}`);
    await audit(rita, 'review-conflicts');
    await rita.getByRole('link', { name: 'Show items whatever their recommendation' }).click();
    await rita.getByRole('link', { name: 'Show only items recommended for revoking' }).click();
    await rita.waitForLoadState();
    await rita.getByLabel('Justification (required to revoke, and for your own access)').fill('quarterly review');
    await rita.getByRole('button', { name: 'Accept the recommendations (selected, or all on this page)' }).click();
    await rita.waitForLoadState();
    const accepted = await rita.locator('tbody tr', { hasText: 'quarterly review (recommended: ' }).count();
    assert.ok(accepted > 0, 'recommendations accepted, each with its reason');
    // Every undecided item of one resource at once, whatever page it is on.
    const inbox = rita.url().split('?')[0];
    await rita.goto(`${inbox}?open=1`);
    const whole = (await rita.locator('#all_of_resource option').first().textContent()).trim();
    await rita.getByLabel('Or every undecided item of one resource (on every page)').selectOption({ index: 0 });
    await rita.getByLabel('Justification (required to revoke, and for your own access)').fill('the team still works there');
    await rita.getByRole('button', { name: 'Certify all of it' }).click();
    await rita.waitForLoadState();
    assert.strictEqual(await rita.getByRole('alert').count(), 0, 'decided without a refusal');
    await rita.goto(`${inbox}?open=1`);
    assert.ok(!(await rita.locator('legend').allTextContents()).some((t) => t.trim() === whole), `nothing of ${whole} is left undecided`);
    console.log(`  every undecided item of ${whole} certified at once`);
    // The items left (no recommendation: her judgement), page by page of undecided items.
    for (let round = 0; round < 100; round++) {
      await rita.goto(`${inbox}?open=1`);
      const open = rita.locator('input[name=item]:not([disabled])');
      const n = await open.count();
      if (n === 0) break;
      for (let i = 0; i < n; i++) await open.nth(i).check();
      await rita.getByLabel('Justification (required to revoke, and for your own access)').fill('still needed');
      await rita.getByRole('button', { name: 'Certify selected' }).click();
      await rita.waitForLoadState();
    }
    await rita.goto(inbox);
    await rita.getByRole('button', { name: 'Sign off' }).click();
    await rita.waitForLoadState();
    await rita.getByText('You signed off: your decisions are locked.').waitFor();
    await audit(rita, 'review-accepted');
    console.log(`  the reviewer filtered by recommendation, accepted ${accepted} recommendations with one justification and signed off`);

    // A requester asks for a board for 30 minutes; the admin approves.
    const board = await (async () => {
      await admin.goto(`${BASE}/ui/a/acme/resources/boards`);
      return (await admin.locator('tbody tr').first().locator('td').nth(1).textContent()).trim();
    })();
    const dana = await signIn(browser, REQUESTER_KEY);
    await dana.goto(`${BASE}/ui/a/acme/jit`);
    await dana.getByLabel('For user (e-mail or id)').fill(email);
    await dana.getByLabel('Resource type').selectOption('board');
    await dana.getByLabel('Resource id (or role name)').fill(board);
    await dana.getByLabel(/^Minutes/).fill('30');
    await dana.getByLabel('Justification').fill('incident 42: read the board');
    await dana.getByRole('button', { name: 'Request' }).click();
    await dana.waitForLoadState();
    assert.ok(await dana.getByRole('heading', { name: 'Waiting for approval (1)' }).isVisible());
    await admin.goto(`${BASE}/ui/a/acme/jit`);
    await audit(admin, 'jit');
    await admin.getByRole('button', { name: /^Approve #\d+$/ }).click();
    await admin.waitForLoadState();
    assert.ok(await admin.getByRole('heading', { name: 'Active grants (1)' }).isVisible(), 'approved and granted');
    console.log('  just-in-time access requested and approved');

    // Four eyes: the admin deactivates a user; the plan waits; they cannot approve it
    // themselves; the second admin approves it and it runs.
    await admin.goto(`${BASE}/ui/a/acme/users?status=active`);
    await admin.locator('tbody tr').nth(5).locator('a').click();
    const leaver = (await admin.locator('dl.facts dd').first().textContent()).trim();
    await admin.getByRole('button', { name: 'Deactivate…' }).click();
    await admin.getByLabel('Reason (recorded with the change)').fill('left the company');
    await admin.getByRole('button', { name: 'Confirm and apply' }).click();
    await admin.getByRole('heading', { name: /^Waiting for a second admin: plan / }).waitFor();
    await admin.getByRole('link', { name: 'Plans' }).first().click();
    assert.ok(await admin.getByRole('heading', { name: 'Waiting (1)' }).isVisible());
    await audit(admin, 'plans');
    await admin.getByRole('button', { name: /^Approve and run / }).click();
    assert.ok(await admin.getByText('may not approve or reject it: a second admin must').isVisible(), 'no self-approval');
    const sec = await signIn(browser, SECOND_ADMIN_KEY);
    await sec.goto(`${BASE}/ui/a/acme/plans`);
    await sec.getByRole('button', { name: /^Approve and run / }).click();
    await sec.waitForLoadState();
    assert.ok(await sec.getByText('Nothing waiting.').isVisible(), 'approved');
    assert.match(await sec.locator('tbody tr').first().textContent(), /applied/);
    console.log('  a deactivation waited for a second admin, who approved it');

    // The evidence download.
    await admin.goto(`${BASE}/ui/a/acme/reviews/1`);
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('link', { name: 'Download the evidence' }).click()]);
    const file = `${SHOTS}/evidence.tar`;
    await download.saveAs(file);
    const head = fs.readFileSync(file).subarray(0, 512).toString('latin1');
    assert.ok(head.startsWith('items.csv'), 'a tar archive starting with items.csv');
    await audit(admin, 'review-admin');
    await admin.goto(`${BASE}/ui/a/acme/events`);
    await audit(admin, 'events');
    // The changes made to the deactivated user, by their e-mail; the same filter as CSV; an unknown
    // person is refused beside the field with what was typed kept.
    await admin.getByLabel('What').selectOption({ label: 'changes made through Roster' });
    await admin.getByLabel('Person (e-mail or user id)').fill(leaver);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForLoadState();
    const said = await admin.locator('tbody tr').allTextContents();
    assert.ok(said.length > 0 && said.every((t) => t.includes(leaver)), `the leaver's events only: ${said.join(' / ')}`);
    assert.ok(said.some((t) => t.includes('asked by ops to deactivate ') && t.includes('left the company')), `as sentences: ${said.join(' / ')}`);
    assert.ok(said.every((t) => !/user \d{5,}/.test(t)), `no bare user ids: ${said.join(' / ')}`);
    await audit(admin, 'events-filtered');
    const [csv] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('link', { name: 'Download these as CSV' }).click()]);
    const csvFile = `${SHOTS}/events.csv`;
    await csv.saveAs(csvFile);
    const lines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
    assert.strictEqual(lines[0], 'id,at,sync,kind,subject,about,what happened,detail');
    assert.strictEqual(lines.length - 1, said.length, 'the CSV holds the rows the page shows');
    await admin.getByLabel('Person (e-mail or user id)').fill('nobody@nowhere.test');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForLoadState();
    assert.match(await admin.locator('#person-error').textContent(), /no one with the e-mail/);
    assert.strictEqual(await admin.getByLabel('Person (e-mail or user id)').inputValue(), 'nobody@nowhere.test');
    await audit(admin, 'events-refused');
    console.log(`  the leaver's ${said.length} events filtered, downloaded as CSV; an unknown person refused beside the field`);
    console.log('  evidence downloaded; browser checks passed');
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
