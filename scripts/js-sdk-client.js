// monday.com's own JS SDK (@mondaydotcomorg/api) against an endpoint: getMeOp, getBoardItemsOp
// for three boards, and raw queries for users and teams. Prints what it read as JSON for
// real-clients.py to compare with the ground truth.
// Usage: node js-sdk-client.js ENDPOINT TOKEN
const { ApiClient } = require('@mondaydotcomorg/api');

async function main() {
  const [endpoint, token] = process.argv.slice(2);
  const client = new ApiClient({ token, endpoint, apiVersion: '2026-10' });
  const me = await client.operations.getMeOp();
  const boards = await client.request('query { boards(limit: 3) { id } }');
  const items = {};
  for (const b of boards.boards) {
    const got = await client.operations.getBoardItemsOp({ ids: [b.id] });
    items[b.id] = got.boards[0].items_page.items.map((i) => i.id);
  }
  const users = await client.request('query { users(limit: 1000) { id email } }');
  const teams = await client.request('query { teams { id name users { id } } }');
  console.log(JSON.stringify({
    me: me.me,
    items,
    users: users.users.map((u) => u.id),
    teams: teams.teams.map((t) => t.id),
  }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
