import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Ajv, type ValidateFunction} from 'ajv';
import {parse} from 'yaml';

/**
 * Validates requests against an upstream project's own API description (test/contracts):
 * Swagger 2.0 (Harbor, Portainer) or OpenAPI 3.0 (authentik). The test servers call it for every
 * request our client sends, so a body the real server would not accept fails the test.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** The upstream descriptions, copied into the repository (test/contracts/README.md names their sources). */
export const contractsDirectory = path.resolve(here, '..', 'contracts');

type Operation = {
	method: string;
	template: string;
	pattern: RegExp;
	bodySchema?: unknown;
	bodyRequired: boolean;
};

export type ContractCheck = {
	/** The operation was found in the contract. */
	known: boolean;
	/** Problems with the body, empty when it conforms. */
	errors: string[];
};

export type Contract = {
	basePath: string;
	/**
	 * @param pathname the full request path, including the base path (/api/v2.0/configurations)
	 * @param options.strictProperties also refuse properties the schema does not list (catches typos
	 *   in key names; the real servers silently ignore them, which is exactly the bug to catch)
	 */
	check(method: string, pathname: string, body: unknown, options?: {strictProperties?: boolean}): ContractCheck;
	/**
	 * Checks a value against one schema of the document (`#/components/schemas/User`), e.g. what a
	 * fake answers; a discriminated oneOf is checked against the schema its discriminator names.
	 * Returns the problems, empty when it conforms.
	 */
	checkSchema(pointer: string, value: unknown, options?: {strictProperties?: boolean}): string[];
};

const cache = new Map<string, Contract>();

export function loadContract(name: 'harbor' | 'portainer' | 'authentik'): Contract {
	const cached = cache.get(name);
	if (cached) {
		return cached;
	}

	const file = {harbor: 'harbor/swagger.yaml', portainer: 'portainer/swagger.yaml', authentik: 'authentik/schema.yml'}[name];
	const document = parse(readFileSync(path.join(contractsDirectory, file), 'utf8')) as Record<string, any>;
	// Portainer is written in Go, whose JSON decoder matches keys case-insensitively: its contract
	// says `authenticationMethod`, its own UI sends `AuthenticationMethod`. Compare in lower case.
	const contract = buildContract(name === 'portainer' ? lowerCaseProperties(document) : document, name === 'portainer');
	cache.set(name, contract);
	return contract;
}

function buildContract(document: Record<string, any>, caseInsensitiveKeys = false): Contract {
	const isOpenApi3 = typeof document['openapi'] === 'string';
	const basePath: string = isOpenApi3 ? (document['servers']?.[0]?.url ?? '') : (document['basePath'] ?? '');
	const operations: Operation[] = [];
	for (const [template, item] of Object.entries<Record<string, any>>(document['paths'] ?? {})) {
		for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
			const operation = item[method];
			if (!operation) {
				continue;
			}

			const {schema, required} = isOpenApi3 ? openApi3Body(operation) : swagger2Body(document, [...(item['parameters'] ?? []), ...(operation.parameters ?? [])]);
			operations.push({
				method: method.toUpperCase(),
				template,
				pattern: templatePattern(basePath + template),
				bodySchema: schema,
				bodyRequired: required,
			});
		}
	}

	const validators = new Map<string, ValidateFunction>();
	const ajvFor = (strict: boolean) => {
		const ajv = new Ajv({strict: false, allErrors: true, validateFormats: false});
		const readable = typelessNullable(document);
		ajv.addSchema(strict ? closeObjects(readable) : readable, 'contract');
		return ajv;
	};

	const ajvs = {loose: ajvFor(false), strict: ajvFor(true)};

	return {
		basePath,
		check(method, pathname, rawBody, options = {}) {
			const body = caseInsensitiveKeys ? lowerCaseKeys(rawBody) : rawBody;
			const operation = findOperation(operations, method.toUpperCase(), pathname);
			if (!operation) {
				return {known: false, errors: [`${method} ${pathname} is not in the contract`]};
			}

			if (operation.bodySchema === undefined) {
				return {known: true, errors: body === undefined || body === null ? [] : [`${method} ${operation.template} takes no body`]};
			}

			if (body === undefined) {
				return {known: true, errors: operation.bodyRequired ? [`${method} ${operation.template} needs a body`] : []};
			}

			return {known: true, errors: validateAgainst(operation.bodySchema, body, `${operation.method} ${operation.template} body`, options.strictProperties)};
		},
		checkSchema(pointer, value, options = {}) {
			return validateAgainst({$ref: pointer}, value, pointer.replace(/^#\/components\/schemas\//, ''), options.strictProperties);
		},
	};

	function validateAgainst(declared: unknown, value: unknown, label: string, strictProperties = false): string[] {
		const picked = discriminated(document, declared, value);
		if (typeof picked === 'string') {
			return [`${label} ${picked}`];
		}

		const key = `${strictProperties ? 'strict' : 'loose'} ${JSON.stringify(picked)}`;
		let validate = validators.get(key);
		if (!validate) {
			const ajv = strictProperties ? ajvs.strict : ajvs.loose;
			validate = ajv.compile(rewriteRefs(strictProperties ? closeObjects(picked) : picked) as object);
			validators.set(key, validate);
		}

		if (validate(value)) {
			return [];
		}

		return (validate.errors ?? []).map((error) => `${label}${error.instancePath || ''} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
	}
}

/**
 * OpenAPI's discriminator: a oneOf whose `mapping` names the schema for each value of one property
 * (authentik's flow challenges, by `component`). Ajv does not read `mapping`, and the mapped
 * schemas overlap, so the oneOf alone would refuse every value; the mapped schema is checked
 * instead. Returns the schema to check, or a problem when the value names no mapped schema.
 */
function discriminated(document: Record<string, any>, declared: unknown, value: unknown): unknown {
	const reference = (declared as {$ref?: unknown} | undefined)?.$ref;
	const schema = typeof reference === 'string' ? resolvePointer(document, reference) : declared;
	const discriminator = schema?.discriminator as {propertyName?: string; mapping?: Record<string, string>} | undefined;
	if (!discriminator?.propertyName || !discriminator.mapping || !Array.isArray(schema?.oneOf)) {
		return declared;
	}

	const chosen = value && typeof value === 'object' ? (value as Record<string, unknown>)[discriminator.propertyName] : undefined;
	const target = typeof chosen === 'string' ? discriminator.mapping[chosen] : undefined;
	return target ? {$ref: target} : `has ${discriminator.propertyName} ${JSON.stringify(chosen ?? null)}, which names none of the schemas of ${String(reference ?? 'the oneOf')}`;
}

function swagger2Body(document: Record<string, any>, parameters: Array<Record<string, any>>): {schema?: unknown; required: boolean} {
	for (const raw of parameters) {
		const parameter = raw['$ref'] ? resolvePointer(document, raw['$ref'] as string) : raw;
		if (parameter?.['in'] === 'body') {
			return {schema: parameter['schema'], required: Boolean(parameter['required'])};
		}
	}

	return {required: false};
}

function openApi3Body(operation: Record<string, any>): {schema?: unknown; required: boolean} {
	const content = operation['requestBody']?.content;
	const schema = content?.['application/json']?.schema;
	return {schema, required: Boolean(operation['requestBody']?.required)};
}

function resolvePointer(document: Record<string, any>, pointer: string): any {
	return pointer
		.replace(/^#\//, '')
		.split('/')
		.reduce<any>((node, part) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], document);
}

function templatePattern(template: string): RegExp {
	const escaped = template
		.split(/(\{[^}]+\}|:[A-Za-z]+)/)
		.map((part) => (/^\{[^}]+\}$|^:[A-Za-z]+$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
		.join('');
	return new RegExp(`^${escaped}$`);
}

function findOperation(operations: Operation[], method: string, pathname: string): Operation | undefined {
	const matches = operations.filter((operation) => operation.method === method && operation.pattern.test(pathname));
	// Prefer the most literal template: /users/admin/check over /users/{id}.
	return matches.sort((a, b) => literalLength(b.template) - literalLength(a.template))[0];
}

function literalLength(template: string): number {
	return template.replace(/\{[^}]+\}/g, '').length;
}

/** Makes local refs point into the schema registered as "contract". */
function rewriteRefs(schema: unknown): unknown {
	if (Array.isArray(schema)) {
		return schema.map(rewriteRefs);
	}

	if (schema && typeof schema === 'object') {
		return Object.fromEntries(
			Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `contract${value}` : rewriteRefs(value)]),
		);
	}

	return schema;
}

/**
 * OpenAPI 3.0 lets `nullable: true` stand beside an `allOf` without a `type` (authentik's answers
 * do); Ajv refuses that, so it becomes "this, or null".
 */
function typelessNullable<T>(schema: T): T {
	if (Array.isArray(schema)) {
		return schema.map(typelessNullable) as T;
	}

	if (schema && typeof schema === 'object') {
		const {nullable, ...rest} = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, typelessNullable(value)])) as Record<string, unknown>;
		if (nullable === true && rest['type'] === undefined) {
			return {anyOf: [rest, {type: 'null'}]} as T;
		}

		return (nullable === undefined ? rest : {...rest, nullable}) as T;
	}

	return schema;
}

/** Adds additionalProperties: false to every object schema that lists properties and says nothing else. */
function closeObjects<T>(schema: T): T {
	if (Array.isArray(schema)) {
		return schema.map(closeObjects) as T;
	}

	if (schema && typeof schema === 'object') {
		const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closeObjects(value)])) as Record<string, unknown>;
		if (copy['properties'] && copy['additionalProperties'] === undefined && !copy['allOf'] && !copy['oneOf'] && !copy['anyOf']) {
			copy['additionalProperties'] = false;
		}

		return copy as T;
	}

	return schema;
}

function lowerCaseKeys(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(lowerCaseKeys);
	}

	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toLowerCase(), lowerCaseKeys(item)]));
	}

	return value;
}

/** Lower-cases the names in every `properties` and `required` of a document. */
function lowerCaseProperties<T>(node: T): T {
	if (Array.isArray(node)) {
		return node.map(lowerCaseProperties) as T;
	}

	if (node && typeof node === 'object') {
		return Object.fromEntries(
			Object.entries(node).map(([key, value]) => {
				if (key === 'properties' && value && typeof value === 'object') {
					return [key, Object.fromEntries(Object.entries(value).map(([name, schema]) => [name.toLowerCase(), lowerCaseProperties(schema)]))];
				}

				if (key === 'required' && Array.isArray(value)) {
					return [key, value.map((name) => (typeof name === 'string' ? name.toLowerCase() : name))];
				}

				return [key, lowerCaseProperties(value)];
			}),
		) as T;
	}

	return node;
}
