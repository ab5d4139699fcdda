// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Validates Kubernetes manifests against the API's OpenAPI schemas (kubernetes-models, from
// the Kubernetes release's swagger). Usage: node validate.js FILE.yaml...; exit 1 on an error.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const { apiVersion, kind } = obj;
    const group = apiVersion.includes("/") ? apiVersion : `v1`;
    try {
      const mod = await import(`kubernetes-models/${group}/${kind}`);
      new mod[kind](obj).validate();
      console.log(`${file}: ${apiVersion} ${kind} ${obj.metadata?.name}: valid`);
    } catch (err) {
      console.error(`${file}: ${apiVersion} ${kind}: ${err.message}`);
      failed++;
    }
  }
}
process.exit(failed ? 1 : 0);
