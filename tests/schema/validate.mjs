// Validates JSON files against one of wasmiot's schemas with ajv (draft 2020-12).
//   node validate.mjs SCHEMA FILE...
// Prints one line per file, "valid FILE" or "invalid FILE: reason", and exits 0;
// the C++ tests compare these verdicts with wasmiot's own.
// Duplicate keys are checked with jsonc-parser's syntax tree, because
// JSON.parse silently keeps the last one.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { parseTree, printParseErrorCode } from "jsonc-parser";

function duplicateKey(node) {
  if (!node) return null;
  if (node.type === "object") {
    const seen = new Set();
    for (const property of node.children ?? []) {
      const key = property.children[0].value;
      if (seen.has(key)) return key;
      seen.add(key);
    }
  }
  for (const child of node.children ?? []) {
    const found = duplicateKey(child);
    if (found !== null) return found;
  }
  return null;
}

function verdict(validate, file) {
  let text;
  try {
    // JSON text is UTF-8 (RFC 8259); refuse ill-formed bytes as wasmiot does.
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    return `cannot read: ${e.message}`;
  }
  const errors = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) return `malformed JSON: ${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}`;
  const duplicate = duplicateKey(tree);
  if (duplicate !== null) return `duplicate key "${duplicate}"`;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${e.message}`;
  }
  if (!validate(value)) {
    const e = validate.errors[0];
    return `${e.instancePath || "/"} ${e.message}`;
  }
  return null;
}

const [schemaPath, ...files] = process.argv.slice(2);
// strictTypes is off: if/then sub-schemas deliberately omit "type" (the outer schema has it).
const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false });
// Every schema beside the one asked for is loaded too, so that $refs between them resolve.
const schemaDir = dirname(resolve(schemaPath));
for (const name of readdirSync(schemaDir).filter((n) => n.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, name), "utf8")));
}
const validate = ajv.getSchema(JSON.parse(readFileSync(schemaPath, "utf8"))["$id"]);
for (const file of files) {
  const reason = verdict(validate, file);
  console.log(reason === null ? `valid ${file}` : `invalid ${file}: ${reason}`);
}
