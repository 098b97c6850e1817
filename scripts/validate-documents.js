// Referee: every GraphQL document Roster sends for an API version validates against monday.com's
// published schema of that version. Usage: node scripts/validate-documents.js SCHEMA DOC...
'use strict';
const fs = require('fs');
const { buildSchema, parse, validate } = require('graphql');

const [schemaPath, ...docs] = process.argv.slice(2);
if (!schemaPath || docs.length === 0) {
  console.error('usage: validate-documents.js SCHEMA.graphql DOC.graphql...');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));
let failed = 0;
for (const doc of docs) {
  let errors;
  try {
    errors = validate(schema, parse(fs.readFileSync(doc, 'utf8')));
  } catch (e) {
    errors = [e];
  }
  if (errors.length) {
    failed++;
    console.error(`${doc}: ${errors.length} error(s) against ${schemaPath}`);
    for (const e of errors) console.error('  - ' + e.message);
  }
}
if (failed) process.exit(1);
console.log(`${docs.length} document(s) valid against ${schemaPath}`);
