// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Regenerates schemas/kubernetes.json: the JSON Schemas of the kinds in deploy/kubernetes,
// rebuilt from the validators kubernetes-models ships (npm ci here first; see schemas/README).
//
// kubernetes-models publishes no schema documents, only Ajv "standalone" code compiled from
// the Kubernetes OpenAPI definitions: one module per definition, one small function per
// sub-schema. That code is regular, so each function maps back to the sub-schema it was
// compiled from. Any construct not recognised below stops the run: the output never guesses.
// The property names and required fields are checked against the package's .d.ts typings.
//
// Usage: node extract-schemas.mjs > schemas/kubernetes.json
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const pkgVersion = (name) =>
	JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;

// apiVersion/kind of each manifest in deploy/kubernetes -> the kubernetes-models class module.
const KINDS = [
	["v1", "Namespace", "kubernetes-models/v1/Namespace.js"],
	["v1", "ServiceAccount", "kubernetes-models/v1/ServiceAccount.js"],
	["v1", "ConfigMap", "kubernetes-models/v1/ConfigMap.js"],
	["apps/v1", "DaemonSet", "kubernetes-models/apps/v1/DaemonSet.js"],
];

// int32 becomes the bounds it stands for (exact in JSON); the other formats stay formats and
// validate.py checks them as the package's formats.js does (its quantity regex goes in the
// schema as a pattern: it is the package's definition of a Kubernetes quantity).
const FORMAT_KEYWORDS = { int32: { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 } };
const { formats: packageFormats } = await import("@kubernetes-models/validate");

function die(msg) {
	process.stderr.write(`extract-schemas: ${msg}\n`);
	process.exit(1);
}

// "@kubernetes-models/apimachinery/_schemas/X" or "./X.js" -> [definition name, file path].
function resolveImport(spec, fromFile) {
	const name = spec.replace(/^.*\//, "").replace(/\.js$/, "");
	const file = spec.startsWith(".")
		? join(dirname(fromFile), spec)
		: join(modules, spec.replace(/_schemas\/.*/, "_schemas"), `${name}.js`);
	return [name, file];
}

const FN_RE =
	/function (validate\d+)\(data,\{instancePath="",parentData,parentDataProperty,rootData=data\}=\{\}\)\{let vErrors=null,errors=0(.*?)\1\.errors=vErrors,0===errors\}/gs;
const CALL = String.raw`(validate\d+)\(data`;

// One compiled module -> { root: schema, refs: [[name, file]] }.
function decompileModule(file) {
	const src = readFileSync(file, "utf8");
	const enums = {};
	for (const m of src.matchAll(/let (schema\d+_enum)=(\[[^\]]*\]);/g))
		enums[m[1]] = JSON.parse(m[2]);
	const formats = {};
	for (const m of src.matchAll(/let (formats\d+)=formats(?:\.(\w+)|\["([^"]+)"\]);/g))
		formats[m[1]] = m[2] ?? m[3];
	const imports = {};
	for (const m of src.matchAll(/import\{validate as (validate\d+)\}from"([^"]+)";/g))
		imports[m[1]] = resolveImport(m[2], file);
	const bodies = {};
	for (const m of src.matchAll(FN_RE)) bodies[m[1]] = m[2];
	const rootFn = src.match(/export const validate=(validate\d+);/)?.[1];
	if (!rootFn || !bodies[rootFn]) die(`${file}: no exported validator`);

	// Everything the recognisers below account for must cover the whole module.
	const leftover = src
		.replace(FN_RE, "")
		.replace(/let schema\d+_enum=\[[^\]]*\];/g, "")
		.replace(/let formats\d+=formats(?:\.\w+|\["[^"]+"\]);/g, "")
		.replace(/import\{validate as validate\d+\}from"[^"]+";/g, "")
		.replace(/import\{formats\}from"@kubernetes-models\/validate";/, "")
		.replace(/export const validate=validate\d+;/, "");
	if (leftover.trim()) die(`${file}: unrecognised code: ${leftover.slice(0, 200)}`);

	const refs = [];
	const cache = {};
	const sub = (fn) => {
		if (imports[fn]) {
			refs.push(imports[fn]);
			return { $ref: `#/definitions/${imports[fn][0]}` };
		}
		if (!bodies[fn]) die(`${file}: ${fn} is neither defined nor imported`);
		return (cache[fn] ??= decompile(fn, bodies[fn]));
	};

	function decompile(fn, body) {
		const where = `${file}: ${fn}`;
		// A reference to another definition, optional ones accepting null.
		let m = body.match(new RegExp(String.raw`^;return (null!==data&&\()?${CALL},`));
		if (m) {
			const target = sub(m[2]);
			return m[1] ? { anyOf: [{ type: "null" }, target] } : target;
		}
		const keywords = new Set(
			[...body.matchAll(/keyword:"(\w+)"/g)].map((k) => k[1]),
		);
		const schema = {};
		if (keywords.has("oneOf") || keywords.has("anyOf")) {
			const kw = keywords.has("oneOf") ? "oneOf" : "anyOf";
			if (keywords.size !== 1) die(`${where}: ${kw} mixed with ${[...keywords]}`);
			schema[kw] = [...body.matchAll(new RegExp(CALL, "g"))]
				.map((c) => c[1])
				.filter((c, i, all) => all.indexOf(c) === i)
				.map(sub);
			return schema;
		}
		for (const kw of keywords) {
			if (!["type", "enum", "format", "required"].includes(kw))
				die(`${where}: keyword ${kw} is not handled`);
		}
		m = body.match(/params:\{type:"(\w+)"\}/);
		if (!m) die(`${where}: no type`);
		const type = m[1];
		// Ajv tests "null!==data" beside the type check when the schema is nullable.
		const nullable = /if\(!?\(?[^{]*&&null!==data\)\{let err\d+=\{instancePath,schemaPath:"#\/type"/.test(
			body,
		);
		schema.type = nullable ? [type, "null"] : type;
		m = body.match(/allowedValues:(schema\d+_enum)/);
		if (m) schema.enum = enums[m[1]] ?? die(`${where}: unknown enum ${m[1]}`);
		m = body.match(/params:\{format:"([^"]+)"\}/);
		if (m) {
			const fmt = m[1];
			const declared = Object.entries(formats).find(([, f]) => f === fmt);
			if (!declared) die(`${where}: format ${fmt} not declared`);
			if (FORMAT_KEYWORDS[fmt]) Object.assign(schema, FORMAT_KEYWORDS[fmt]);
			else if (fmt === "quantity")
				schema.pattern = packageFormats.quantity.validate.source;
			else schema.format = fmt;
		}
		if (type === "array") {
			m = body.match(/for\(let i0=0;i0<len0;i0\+\+\)(validate\d+)\(data\[i0\]/);
			if (!m) die(`${where}: array without items`);
			schema.items = sub(m[1]);
		}
		if (type === "object") {
			const required = [...body.matchAll(/missingProperty:"([^"]+)"/g)].map((r) => r[1]);
			const props = [
				...body.matchAll(
					/void 0!==data(?:\.([\w$]+)|\[("(?:[^"\\]|\\.)*")\])&&\((validate\d+)\(data/g,
				),
			];
			const map = body.match(/for\(let key0 in data\)(validate\d+)\(data\[key0\]/);
			if (props.length) {
				schema.properties = {};
				for (const p of props) schema.properties[p[1] ?? JSON.parse(p[2])] = sub(p[3]);
			}
			if (required.length) schema.required = required;
			if (map) schema.additionalProperties = sub(map[1]);
			else if (props.length)
				// Kubernetes decodes objects strictly: a field that is not in the definition
				// is rejected (kubectl --validate=strict, server-side field validation).
				schema.additionalProperties = false;
			if (/for\(/.test(body) && !map) die(`${where}: unrecognised loop`);
		}
		return schema;
	}

	return { root: sub(rootFn), refs };
}

// Property names and required fields as the typings declare them, to cross-check.
function typings(file) {
	const dts = readFileSync(file.replace(/\.js$/, ".d.ts"), "utf8");
	const iface = dts.match(/export interface \w+ (?:extends [\w, ]+)?\{(.*?)\n\}/s);
	if (!iface) return null;
	const props = {};
	const body = iface[1].replace(/\/\*\*.*?\*\//gs, "");
	for (const m of body.matchAll(/^\s+"([^"]+)"(\??):/gm)) props[m[1]] = m[2] !== "?";
	return props;
}

const definitions = {};
const kinds = {};
const queue = [];
for (const [apiVersion, kind, cls] of KINDS) {
	const src = readFileSync(join(modules, cls), "utf8");
	const m = src.match(/import\{validate\}from"([^"]+)"/);
	if (!m) die(`${cls}: no validator import`);
	const [name, file] = resolveImport(m[1], join(modules, cls));
	kinds[`${apiVersion}/${kind}`] = name;
	queue.push([name, file]);
}
while (queue.length) {
	const [name, file] = queue.shift();
	if (definitions[name]) continue;
	const { root, refs } = decompileModule(file);
	const declared = typings(file);
	if (declared && root.properties) {
		const got = Object.keys(root.properties).sort().join(",");
		const want = Object.keys(declared).sort().join(",");
		if (got !== want) die(`${name}: properties ${got} differ from the typings' ${want}`);
		const req = (root.required ?? []).slice().sort().join(",");
		const wantReq = Object.keys(declared).filter((p) => declared[p]).sort().join(",");
		if (req !== wantReq) die(`${name}: required ${req} differ from the typings' ${wantReq}`);
	}
	definitions[name] = root;
	queue.push(...refs);
}

const sorted = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
const out = {
	$schema: "http://json-schema.org/draft-07/schema#",
	$comment:
		`Generated by tests/e2e/k8s/extract-schemas.mjs from kubernetes-models ` +
		`${pkgVersion("kubernetes-models")} and @kubernetes-models/apimachinery ` +
		`${pkgVersion("@kubernetes-models/apimachinery")}; do not edit.`,
	kinds,
	definitions: sorted,
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
process.stderr.write(
	`extract-schemas: ${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions\n`,
);
