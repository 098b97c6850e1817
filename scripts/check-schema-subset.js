// Referee: every type, field, argument and enum value monday-sim declares for an API version
// must exist in monday.com's published schema of that version, with the same type.
// Also: every scalar/enum field of the types named in --all-scalars (comma-separated) is served,
// so a client asking for every field of them gets an answer.
// Usage: node scripts/check-schema-subset.js OURS.graphql PUBLISHED.graphql [--all-scalars User,Board]
'use strict';
const fs = require('fs');
const { buildSchema, getNamedType, isLeafType, isObjectType, isInputObjectType, isEnumType, isScalarType, isInterfaceType, isUnionType } = require('graphql');

const [oursPath, theirsPath, flag, list] = process.argv.slice(2);
const allScalars = flag === '--all-scalars' ? list.split(',') : [];
if (!oursPath || !theirsPath) {
  console.error('usage: check-schema-subset.js OURS.graphql PUBLISHED.graphql');
  process.exit(2);
}
const ours = buildSchema(fs.readFileSync(oursPath, 'utf8'));
const theirs = buildSchema(fs.readFileSync(theirsPath, 'utf8'));
const problems = [];
let checked = 0;
const kind = (t) => isObjectType(t) ? 'object' : isInputObjectType(t) ? 'input' : isEnumType(t) ? 'enum'
  : isScalarType(t) ? 'scalar' : isInterfaceType(t) ? 'interface' : isUnionType(t) ? 'union' : 'other';
const defaultOf = (a) => a.defaultValue === undefined ? undefined : JSON.stringify(a.defaultValue);

for (const [name, t] of Object.entries(ours.getTypeMap())) {
  if (name.startsWith('__')) continue;
  const u = theirs.getType(name);
  if (!u) { problems.push(`type ${name} does not exist in the published schema`); continue; }
  if (kind(t) !== kind(u)) { problems.push(`type ${name} is a ${kind(t)} here but a ${kind(u)} there`); continue; }
  checked++;
  if (isEnumType(t)) {
    const values = new Set(u.getValues().map((v) => v.name));
    for (const v of t.getValues()) if (!values.has(v.name)) problems.push(`enum ${name} has no value ${v.name}`);
    continue;
  }
  if (!(isObjectType(t) || isInputObjectType(t))) continue;
  const theirFields = u.getFields();
  for (const [fname, f] of Object.entries(t.getFields())) {
    const g = theirFields[fname];
    checked++;
    if (!g) { problems.push(`${name}.${fname} does not exist`); continue; }
    if (String(f.type) !== String(g.type)) problems.push(`${name}.${fname} is ${f.type} here but ${g.type} there`);
    if (isInputObjectType(t)) continue;
    for (const a of f.args) {
      const b = g.args.find((x) => x.name === a.name);
      checked++;
      if (!b) { problems.push(`${name}.${fname}(${a.name}) does not exist`); continue; }
      if (String(a.type) !== String(b.type)) problems.push(`${name}.${fname}(${a.name}) is ${a.type} here but ${b.type} there`);
      if (defaultOf(a) !== defaultOf(b)) problems.push(`${name}.${fname}(${a.name}) defaults to ${defaultOf(a)} here but ${defaultOf(b)} there`);
    }
    // A required argument there that we do not declare would make our schema accept queries monday rejects.
    for (const b of g.args) {
      if (String(b.type).endsWith('!') && b.defaultValue === undefined && !f.args.find((a) => a.name === b.name)) {
        problems.push(`${name}.${fname} lacks the required argument ${b.name}`);
      }
    }
  }
}
for (const name of allScalars) {
  const t = ours.getType(name);
  const u = theirs.getType(name);
  if (!t || !u) { problems.push(`--all-scalars: type ${name} missing`); continue; }
  for (const f of Object.values(u.getFields())) {
    checked++;
    if (isLeafType(getNamedType(f.type)) && !t.getFields()[f.name]) problems.push(`${name}.${f.name} (${f.type}) is not served`);
  }
}
if (problems.length) {
  console.error(`${oursPath}: ${problems.length} difference(s) from ${theirsPath}:`);
  for (const p of problems) console.error('  - ' + p);
  process.exit(1);
}
console.log(`${oursPath}: ${checked} declarations, all present in ${theirsPath} with the same types`);
