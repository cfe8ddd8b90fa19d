// Lint .cypher files with Neo4j's own Cypher 5 front end. Usage: node lint.mjs FILE...
// Prints one line per problem ("file:line:col: error|warning: message") and exits 1 when any error is found.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, isNotParamError, testData } from '@neo4j-cypher/language-support';

// Built-in functions and procedures, so that an unknown function is reported (the package's own test schema
// lists Neo4j 5's built-ins; it is the only list the package carries).
const builtins = testData.mockSchema;
const schema = { functions: builtins.functions, procedures: builtins.procedures };

let errors = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const { diagnostics } = lintCypherQuery(text, schema);
  for (const d of diagnostics.filter(isNotParamError)) {
    const kind = d.severity === 1 ? 'error' : 'warning';
    if (d.severity === 1) errors += 1;
    console.log(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${kind}: ${d.message.replace(/\s+/g, ' ')}`);
  }
}
if (errors > 0) {
  console.log(`${errors} error(s)`);
  process.exit(1);
}
