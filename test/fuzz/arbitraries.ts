import fc from 'fast-check';

/**
 * Small generators shared by the property tests. They lean towards the characters that break
 * parsers: white space of every kind, control characters, URL delimiters, non-ASCII text.
 */

/** Characters worth trying anywhere: delimiters, white space, controls, escapes, non-ASCII. */
export const nastyCharacters = [
	' ',
	'\t',
	'\n',
	'\r',
	'\u0000',
	'\u0007',
	'\u001B',
	'\u007F',
	'\u0085',
	'\u00A0',
	'\u2028',
	'\u200B',
	'\uFEFF',
	'/',
	'\\',
	'?',
	'#',
	'@',
	':',
	'[',
	']',
	'%',
	'.',
	',',
	'=',
	'"',
	"'",
	'{',
	'}',
	'é',
	'ß',
	'İ',
	'😀',
	'\uD800',
	'a',
	'Z',
	'0',
	'-',
	'_',
];

export const nastyCharacter = fc.constantFrom(...nastyCharacters);

/** Any text: random code units, whole graphemes, or mostly nasty characters. */
export function anyText(maxLength = 40): fc.Arbitrary<string> {
	return fc.oneof(
		fc.string({unit: 'binary', maxLength}),
		fc.string({unit: 'grapheme', maxLength}),
		fc.string({unit: fc.oneof(nastyCharacter, fc.string({unit: 'grapheme-ascii', minLength: 1, maxLength: 3})), maxLength}),
	);
}

/** Text that surrounds a value: nothing, spaces, tabs, new lines, controls. */
export const padding = fc.oneof(fc.constant(''), fc.string({unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0', '\u0000', '\u0007', '\uFEFF'), maxLength: 3}));

const scheme = fc.constantFrom('https://', 'http://', 'HTTPS://', 'HtTp://', 'ftp://', 'file://', 'javascript:', 'https:/', 'https:\\\\', 'https:///', '//', '', 'https://https://', 'ws://');

const host = fc.oneof(
	fc.domain(),
	fc.ipV4(),
	fc.ipV6().map((address) => `[${address}]`),
	fc.ipV6(),
	fc.constantFrom('localhost', '127.0.0.1', '[::1]', '', 'münchen.de', 'xn--a.com', 'a..b', '-a.com', 'a_b.com', '1.2.3', '0x7f.1', '%41.com', 'a.com.', 'user:pw@a.com', '@a.com', ':@a.com', 'a.com\u200B'),
	fc.string({unit: 'grapheme', minLength: 1, maxLength: 12}),
);

const port = fc.oneof(
	fc.constant(''),
	fc.integer({min: 0, max: 70_000}).map((value) => `:${value}`),
	fc.constantFrom(':', ':abc', ':443', ':80', ':-1'),
);

const pathSegment = fc.oneof(fc.webSegment(), fc.constantFrom('', '.', '..', '%2e', '%2F', 'ä', ' ', 'a b', '%', '%zz', '\\', '~user', 'realms', 'application', 'o'), anyText(6));

const path = fc.array(pathSegment, {maxLength: 5}).chain((segments) => fc.constantFrom('', '/', '//').map((end) => (segments.length === 0 ? end : `/${segments.join('/')}${end}`)));

const suffix = fc.oneof(fc.constant(''), fc.constant(''), fc.constantFrom('?', '#', '?a=b', '#top', '?#', '/?', '/#'), nastyCharacter);

/** Strings that look more or less like URLs, including real ones from fast-check. */
export const urlLike: fc.Arbitrary<string> = fc.oneof(
	{weight: 3, arbitrary: fc.tuple(padding, scheme, host, port, path, suffix, padding).map((parts) => parts.join(''))},
	{
		weight: 2,
		arbitrary: fc.webUrl({
			validSchemes: ['https', 'http', 'HTTPS', 'ftp'],
			withQueryParameters: true,
			withFragments: true,
			authoritySettings: {withIPv4: true, withIPv6: true, withIPv4Extended: true, withPort: true, withUserInfo: true},
		}),
	},
	{weight: 1, arbitrary: anyText(60)},
	{weight: 1, arbitrary: fc.tuple(fc.constantFrom('https://', 'http://'), anyText(40)).map((parts) => parts.join(''))},
);

/** A host that is already in the form URL writes it: lower case, punycode, no default port. */
const canonicalHost = fc.oneof(
	fc.domain().filter((domain) => {
		try {
			return new URL(`https://${domain}`).hostname === domain;
		} catch {
			return false;
		}
	}),
	fc.constantFrom('localhost', '127.0.0.1', '[::1]', '10.0.0.7', 'xn--mnchen-3ya.de', '[2001:db8::1]'),
);

const canonicalSegment = fc.stringMatching(/^[a-zA-Z0-9_~-][a-zA-Z0-9._~-]{0,11}$/).filter((segment) => segment !== '.' && segment !== '..' && !/^\.+$/.test(segment));

/** URLs already written the way URL#toString writes them (except for the trailing slash). */
export const canonicalUrl: fc.Arbitrary<{url: string; hasPath: boolean; trailingSlash: boolean}> = fc
	.record({
		scheme: fc.constantFrom('https', 'http'),
		host: canonicalHost,
		port: fc.option(fc.integer({min: 1, max: 65_535}).filter((value) => value !== 80 && value !== 443), {nil: undefined}),
		segments: fc.array(canonicalSegment, {maxLength: 4}),
		trailingSlash: fc.boolean(),
	})
	.map(({scheme, host, port, segments, trailingSlash}) => {
		const base = `${scheme}://${host}${port === undefined ? '' : `:${port}`}`;
		const pathText = segments.length === 0 ? '' : `/${segments.join('/')}`;
		return {url: `${base}${pathText}${trailingSlash ? '/' : ''}`, hasPath: segments.length > 0, trailingSlash};
	});

/** Field keys as the flow schema allows them (lower case, digits, underscores). */
export const fieldKey = fc.oneof(
	fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/),
	fc.constantFrom('app_url', 'idp_url', 'issuer', 'client_id', 'scopes', 'slug', 'realm', 'redirect_uri', 'constructor', 'prototype', 'tostring', 'valueof', 'hasownproperty', 'proto'),
);

/** Keys the contract calls secret (design.md: *_secret, *_password, *_token, *_api_key, …). */
export const secretKey = fc.oneof(
	fc.constantFrom(
		'client_secret',
		'authentik_token',
		'keycloak_admin_password',
		'pocket_id_api_key',
		'harbor_admin_password',
		'portainer_admin_password',
		'portainer_api_key',
		'ovh_application_secret',
		'ovh_consumer_key',
	),
	fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.constantFrom('_secret', '_password', '_token', '_api_key')).map(([stem, end]) => `${stem}${end}`),
);

/** A value that cannot be mistaken for part of a message: a marker plus anything. */
export const secretValue = fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{4}$/), anyText(20)).map(([stem, rest]) => `Sv${stem}Q${rest}`);

/** Scope lists typed by a person: tokens, separators of both kinds, duplicates, junk. */
export const scopesText: fc.Arbitrary<string> = fc
	.array(
		fc.tuple(
			fc.oneof(
				{weight: 4, arbitrary: fc.constantFrom('openid', 'profile', 'email', 'groups', 'offline_access', 'roles', 'OPENID', 'openid:x', 'https://api.example.com/read', 'a"b', 'a\\b', 'é')},
				{weight: 1, arbitrary: anyText(8)},
			),
			fc.constantFrom(',', ' ', ', ', ' , ', '\t', '\n', ',,', '  ', '\u00A0', '\u2028', ';'),
		),
		{maxLength: 8},
	)
	.map((parts) => parts.map(([token, separator]) => `${token}${separator}`).join(''));

/** A value for --set: sometimes valid for the key, mostly not. */
export function setItem(keys: readonly string[]): fc.Arbitrary<{key: string; value: string; item: string}> {
	const key = fc.oneof({weight: 4, arbitrary: fc.constantFrom(...keys)}, {weight: 1, arbitrary: fieldKey}, {weight: 1, arbitrary: anyText(12)});
	const value = fc.oneof(urlLike, anyText(30), scopesText, fc.constantFrom('yes', 'no', 'true', 'off', 'harbor', 'ovh-eu', 'https://eu.api.ovh.com/1.0', ''));
	return fc
		.tuple(padding, key, padding, value)
		.map(([before, name, after, text]) => ({key: `${before}${name}${after}`, value: text, item: `${before}${name}${after}=${text}`}));
}

/** Things a person's editor, a crash or a newer version may leave in a session file. */
export function sessionText(valid: Record<string, unknown>): fc.Arbitrary<string | Uint8Array> {
	const json = JSON.stringify(valid, null, '\t');
	const keys = Object.keys(valid);
	return fc.oneof(
		anyText(80),
		fc.uint8Array({maxLength: 80}),
		fc.jsonValue({maxDepth: 3}).map((value) => JSON.stringify(value)),
		// Truncated or with bytes spliced in.
		fc.nat({max: json.length}).map((end) => json.slice(0, end)),
		fc.tuple(fc.nat({max: json.length}), anyText(6)).map(([at, text]) => `${json.slice(0, at)}${text}${json.slice(at)}`),
		// One member replaced, removed or added.
		fc.tuple(fc.constantFrom(...keys), fc.jsonValue({maxDepth: 2})).map(([key, value]) => JSON.stringify({...valid, [key]: value})),
		fc.constantFrom(...keys).map((key) => JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([name]) => name !== key)))),
		fc.tuple(anyText(10), fc.jsonValue({maxDepth: 2})).map(([key, value]) => JSON.stringify({...valid, [key]: value})),
		fc.tuple(fc.constantFrom('answers', 'artifacts'), fc.dictionary(anyText(10), fc.jsonValue({maxDepth: 2}), {maxKeys: 3})).map(([key, value]) => JSON.stringify({...valid, [key]: value})),
		fc.integer({min: -3, max: 1_000_000}).map((version) => JSON.stringify({...valid, schema_version: version})),
		fc.constantFrom('', '\uFEFF', 'null', '[]', '{}', '"x"', '0', 'true', '{"schema_version": 99}', '{"schema_version": "1"}', '{"__proto__": {"schema_version": 1}}'),
	);
}
