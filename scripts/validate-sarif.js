#!/usr/bin/env node
// Validates SARIF files against the official SARIF 2.1.0 JSON schema, which
// is JSON Schema draft-04 (hence ajv-draft-04 rather than ajv-cli's draft-07).
// Usage: validate-sarif.js NODE_MODULES_DIR SCHEMA FILE...
// Exit 0 when every file is valid, 1 when one is not (errors on stderr),
// 2 on usage errors or when the validator modules are missing.
'use strict';
const fs = require('fs');
const path = require('path');

const [modules, schemaPath, ...files] = process.argv.slice(2);
if (!modules || !schemaPath || files.length === 0) {
  console.error('usage: validate-sarif.js NODE_MODULES_DIR SCHEMA FILE...');
  process.exit(2);
}
let Ajv, addFormats;
try {
  Ajv = require(path.resolve(modules, 'ajv-draft-04'));
  addFormats = require(path.resolve(modules, 'ajv-formats'));
} catch (e) {
  console.error(`validate-sarif: cannot load ajv-draft-04/ajv-formats from ${modules}: ${e.message}`);
  process.exit(2);
}
const ajv = new (Ajv.default || Ajv)({ allErrors: true, strict: false });
(addFormats.default || addFormats)(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let failed = false;
for (const f of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch (e) {
    console.error(`${f}: not JSON: ${e.message}`);
    failed = true;
    continue;
  }
  if (validate(doc)) {
    console.log(`${f}: valid`);
  } else {
    failed = true;
    for (const err of validate.errors) {
      console.error(`${f}: ${err.instancePath || '/'} ${err.message} ${JSON.stringify(err.params)}`);
    }
  }
}
process.exit(failed ? 1 : 0);
