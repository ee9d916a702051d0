import {nestedRepetition} from '../pattern-safety.js';
import * as z from 'zod';

/**
 * The shape of a flow file (flows/idps/*.yaml, flows/apps/*.yaml, flows/pairs/*.yaml).
 * A flow is declarative: fields to ask, values derived from them, the manual steps for the
 * checklist and the warnings to acknowledge. Text is templated with {{key}} (see template.ts).
 */

const identifier = z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter');
const fieldKey = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and underscores, starting with a letter');
const oneOrMany = z.union([identifier, z.array(identifier)]);

export const conditionSchema = z
	.object({
		app: oneOrMany.optional(),
		idp: oneOrMany.optional(),
		/** Every listed key has exactly this value. */
		equals: z.record(fieldKey, z.string()).optional(),
		/** Every listed key has a value other than this one (or none). */
		not_equals: z.record(fieldKey, z.string()).optional(),
		/** Every listed key has a non-empty value. */
		set: z.array(fieldKey).optional(),
		/** Every listed key is empty or absent. */
		unset: z.array(fieldKey).optional(),
		/** Every listed key is a list (commas or spaces) holding this item, e.g. {scopes: offline_access}. */
		contains: z.record(fieldKey, z.string()).optional(),
		/** Every listed key is a list without this item (or no value). */
		not_contains: z.record(fieldKey, z.string()).optional(),
	})
	.strict();
export type Condition = z.infer<typeof conditionSchema>;

export const fieldSchema = z
	.object({
		key: fieldKey,
		label: z.string().min(1),
		kind: z.enum(['url', 'text', 'secret', 'boolean', 'choice', 'scopes']),
		help: z.string().optional(),
		placeholder: z.string().optional(),
		/** Templated: may refer to other values, e.g. "{{app}}". */
		default: z.string().optional(),
		optional: z.boolean().default(false),
		/** For kind url: what to do with a trailing slash (authentik issuers keep theirs, most URLs drop it). */
		trailing_slash: z.enum(['strip', 'keep', 'require']).default('strip'),
		/** For kind url: whether a path is allowed (Pocket ID's URL must have none). */
		allow_path: z.boolean().default(true),
		/**
		 * For kind url: the only paths understood (then any other path is refused). Each pattern is
		 * matched against the URL's path; its named group `base_path` stays in the value, every other
		 * named group fills the field of that name (a pasted issuer gives the base URL and the slug).
		 */
		paths: z.array(z.object({pattern: z.string(), what: z.string().min(1)}).strict()).optional(),
		/** For kind url: what plain http:// to a remote host breaks besides confidentiality (e.g. redirect URIs). */
		insecure_http: z.string().optional(),
		/** Other fields this one needs: an answer here without them is refused (`requires_message` says why). */
		requires: z.array(fieldKey).optional(),
		requires_message: z.string().optional(),
		pattern: z.string().optional(),
		pattern_message: z.string().optional(),
		choices: z.array(z.object({value: z.string(), label: z.string()}).strict()).optional(),
		/** For kind choice: the label of a last item that lets the person type another value, checked by `pattern`. */
		other: z.string().min(1).optional(),
		/** An optional field that is required when this holds (e.g. the registry ID once the API keys are given). */
		required_when: conditionSchema.optional(),
		/**
		 * admin-credential: an IdP admin credential; when given, the client is registered automatically.
		 * app-credential: the app's admin login; when given, the app's settings are applied automatically.
		 * registration: produced by automatic registration; asked only on the manual path.
		 */
		role: z.enum(['admin-credential', 'app-credential', 'registration']).optional(),
		/** Asked before the IdP's fields (the app's location: the IdP needs the redirect URI). */
		early: z.boolean().default(false),
		/** A list the app's automation can offer to pick from (e.g. the OVH projects), by name. */
		options_from: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
		when: conditionSchema.optional(),
	})
	.strict()
	.superRefine((field, context) => {
		if (field.kind === 'choice' && (!field.choices || field.choices.length === 0)) {
			context.addIssue({code: 'custom', message: 'a choice field needs choices', path: ['choices']});
		}

		for (const [index, pattern] of [field.pattern, ...(field.paths ?? []).map((item) => item.pattern)].entries()) {
			if (pattern === undefined) {
				continue;
			}

			try {
				new RegExp(pattern, 'u');
				const risky = nestedRepetition(pattern);
				if (risky) {
					context.addIssue({code: 'custom', message: `repeats a group that repeats or alternates inside (${risky}), which can take practically forever on some inputs; write it without the nesting`, path: index === 0 ? ['pattern'] : ['paths', index - 1, 'pattern']});
				}
			} catch {
				context.addIssue({code: 'custom', message: 'is not a valid regular expression', path: index === 0 ? ['pattern'] : ['paths', index - 1, 'pattern']});
			}
		}

		if (field.other !== undefined && (field.kind !== 'choice' || field.pattern === undefined)) {
			context.addIssue({code: 'custom', message: 'other needs a choice field with a pattern (what the typed value must look like)', path: ['other']});
		}

		if (field.kind === 'secret' && field.default !== undefined) {
			context.addIssue({code: 'custom', message: 'a secret field cannot have a default', path: ['default']});
		}
	});
export type Field = z.infer<typeof fieldSchema>;

const textBlock = z
	.object({
		title: z.string().min(1),
		text: z.string().default(''),
		when: conditionSchema.optional(),
	})
	.strict();
export type TextBlock = z.infer<typeof textBlock>;

export const warningSchema = textBlock.extend({
	id: identifier,
	/** Must be acknowledged before the user proceeds (default), or only shown. */
	acknowledge: z.boolean().default(true),
	/** The text in the printed checklist, when it differs from the wizard's (which may offer to do things). */
	checklist_text: z.string().optional(),
});
export type Warning = z.infer<typeof warningSchema>;

/**
 * A derived value: a template, or alternatives of which the first whose condition holds is used
 * (none: no value). An alternative may be empty: a checklist line made only of it is left out.
 */
export const derivedSchema = z.union([z.string(), z.array(z.object({when: conditionSchema.optional(), value: z.string()}).strict()).min(1)]);
export type Derived = z.infer<typeof derivedSchema>;
const derivedValues = z.record(fieldKey, derivedSchema).default({});

const common = {
	id: identifier,
	name: z.string().min(1),
	description: z.string().default(''),
	/** Position in the wizard's menu (lower first); the generic OpenID provider comes last. */
	order: z.number().int().default(50),
	/** The code module that automates this side, if any (source/integrations/<kind>/<id>.ts). */
	automation: identifier.optional(),
	fields: z.array(fieldSchema).default([]),
	/** Values computed from the fields; templated; later entries may use earlier ones. */
	derived: derivedValues,
	steps: z.array(textBlock).default([]),
	warnings: z.array(warningSchema).default([]),
	/** What to check by hand once everything is set (the checklist's last section). */
	verification: z.array(textBlock).default([]),
};

export const idpFlowSchema = z
	.object({
		kind: z.literal('idp'),
		...common,
		/** Scopes this IdP needs on top of the app's defaults (Pocket ID: groups). */
		extra_scopes: z.array(z.string().regex(/^\S+$/)).default([]),
		/** Defaults of the app's fields that this IdP knows (its groups claim); a pair's defaults win. */
		defaults: z.record(fieldKey, z.string()).default({}),
	})
	.strict();

export const appFlowSchema = z
	.object({
		kind: z.literal('app'),
		...common,
		scopes: z
			.object({
				separator: z.enum([',', ' ']),
				default: z.array(z.string().regex(/^\S+$/)).min(1),
			})
			.strict(),
	})
	.strict();

export const pairFlowSchema = z
	.object({
		kind: z.literal('pair'),
		idp: identifier,
		app: identifier,
		description: z.string().default(''),
		derived: derivedValues,
		/** Field defaults that differ for this pair (e.g. the username claim). */
		defaults: z.record(fieldKey, z.string()).default({}),
		idp_steps: z.array(textBlock).default([]),
		app_steps: z.array(textBlock).default([]),
		warnings: z.array(warningSchema).default([]),
		notes: z.array(textBlock).default([]),
	})
	.strict();

export const flowFileSchema = z.discriminatedUnion('kind', [idpFlowSchema, appFlowSchema, pairFlowSchema]);

export type IdpFlow = z.infer<typeof idpFlowSchema>;
export type AppFlow = z.infer<typeof appFlowSchema>;
export type PairFlow = z.infer<typeof pairFlowSchema>;
export type FlowFile = z.infer<typeof flowFileSchema>;
