/**
 * Reading the HTML a sign-in page sends, as a browser without JavaScript would: its forms (the
 * action resolved against the page, entities decoded, the hidden inputs kept), its links, and the
 * text of an element (an error message). No DOM: the pages are small and the markup is the IdP's
 * own templates, so a tolerant scan of the tags is enough. Never put a page's text in a sentence
 * without printable() (the callers do, through the sentences they build).
 */

export type HtmlInput = {name: string; type: string; value: string; checked: boolean};

export type HtmlForm = {
	id?: string;
	/** Absolute: the action resolved against the page's URL (the page itself when the form has none). */
	action: string;
	method: 'GET' | 'POST';
	inputs: HtmlInput[];
};

export type HtmlLink = {href: string; text: string};

const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const namedEntities: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', hellip: '…', rsquo: '’', lsquo: '‘', ldquo: '“', rdquo: '”', ndash: '–', mdash: '—'};

export function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, entity: string) => {
		if (entity[0] === '#') {
			const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}

		return namedEntities[entity.toLowerCase()] ?? whole;
	});
}

/** The attributes of one start tag (`<input type="hidden" name=x value='y'>`), names in lower case, values decoded. */
export function attributes(tag: string): Record<string, string> {
	const found: Record<string, string> = {};
	const inner = tag.replace(/^<\s*[a-z0-9-]+/i, '').replace(/\/?\s*>$/, '');
	for (const match of inner.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
		const name = match[1]!.toLowerCase();
		if (!(name in found)) {
			found[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
		}
	}

	return found;
}

/** Comments, scripts and styles removed: what remains are tags and visible text. */
function withoutHidden(html: string): string {
	return html
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
		.replace(/<style\b[\s\S]*?<\/style\s*>/gi, '');
}

function resolve(reference: string, pageUrl: string): string {
	try {
		return new URL(reference, pageUrl).href;
	} catch {
		return pageUrl;
	}
}

/** Every form of the page with its inputs (text areas and selects are not needed by any sign-in page). */
export function findForms(html: string, pageUrl: string): HtmlForm[] {
	const page = withoutHidden(html);
	const forms: HtmlForm[] = [];
	for (const match of page.matchAll(/<form\b[^>]*>([\s\S]*?)(?:<\/form\s*>|$)/gi)) {
		const start = /^<form\b[^>]*>/i.exec(match[0])![0];
		const form = attributes(start);
		const inputs: HtmlInput[] = [];
		for (const input of match[1]!.matchAll(/<input\b[^>]*>/gi)) {
			const attribute = attributes(input[0]);
			if (attribute['name'] === undefined || attribute['name'] === '' || 'disabled' in attribute) {
				continue;
			}

			inputs.push({name: attribute['name'], type: (attribute['type'] ?? 'text').toLowerCase(), value: attribute['value'] ?? '', checked: 'checked' in attribute});
		}

		forms.push({
			...(form['id'] ? {id: form['id']} : {}),
			action: resolve(form['action'] || pageUrl, pageUrl),
			method: (form['method'] ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
			inputs,
		});
	}

	return forms;
}

/** The sign-in form: the first one with a password input. */
export function findPasswordForm(html: string, pageUrl: string): HtmlForm | undefined {
	return findForms(html, pageUrl).find((form) => form.inputs.some((input) => input.type === 'password'));
}

const userFieldNames = ['username', 'login', 'email', 'user', 'identifier'];

/**
 * The fields a browser sends for the form filled with the credentials: the hidden inputs and the
 * pre-filled ones as they are, checkboxes only when checked, the user name in the field named like
 * one (else the first text or email input), the password in the password input. Buttons are left out.
 */
export function fillLogin(form: HtmlForm, credentials: {username: string; password: string}): Record<string, string> {
	const typed = form.inputs.filter((input) => ['text', 'email', 'tel', ''].includes(input.type));
	const userField = typed.find((input) => userFieldNames.includes(input.name.toLowerCase())) ?? typed[0];
	const fields: Record<string, string> = {};
	for (const input of form.inputs) {
		if (['submit', 'button', 'image', 'reset', 'file'].includes(input.type)) {
			continue;
		}

		if ((input.type === 'checkbox' || input.type === 'radio') && !input.checked) {
			continue;
		}

		fields[input.name] = input.type === 'password' ? credentials.password : input === userField ? credentials.username : input.value;
	}

	return fields;
}

/** The links of the page, absolute, with their visible text. */
export function findLinks(html: string, pageUrl: string): HtmlLink[] {
	const links: HtmlLink[] = [];
	for (const match of withoutHidden(html).matchAll(/<a\b[^>]*>([\s\S]*?)<\/a\s*>/gi)) {
		const href = attributes(/^<a\b[^>]*>/i.exec(match[0])![0])['href'];
		if (href && !/^(javascript|data):/i.test(href.trim())) {
			links.push({href: resolve(href, pageUrl), text: visibleText(match[1]!)});
		}
	}

	return links;
}

/** Tags removed, entities decoded, white space collapsed. */
export function visibleText(html: string): string {
	return decodeEntities(withoutHidden(html).replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/**
 * The text of the first element with this id, or with this class among its classes; undefined when
 * there is none or it is empty. Nested elements of the same name are counted, so a whole block is read.
 */
export function elementText(html: string, selector: {id?: string; className?: string}): string | undefined {
	const page = withoutHidden(html);
	for (const match of page.matchAll(/<([a-z][a-z0-9-]*)\b[^>]*>/gi)) {
		const attribute = attributes(match[0]);
		const hit = (selector.id !== undefined && attribute['id'] === selector.id) || (selector.className !== undefined && (attribute['class'] ?? '').split(/\s+/).includes(selector.className));
		const name = match[1]!.toLowerCase();
		if (!hit || voidElements.has(name)) {
			continue;
		}

		const start = match.index + match[0].length;
		const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'gi');
		tags.lastIndex = start;
		let depth = 1;
		let end = page.length;
		for (let tag = tags.exec(page); tag; tag = tags.exec(page)) {
			depth += tag[1] ? -1 : tag[0].endsWith('/>') ? 0 : 1;
			if (depth === 0) {
				end = tag.index;
				break;
			}
		}

		const text = visibleText(page.slice(start, end));
		if (text) {
			return text;
		}
	}

	return undefined;
}

/** What a page says in a sentence: its text cut to a readable length. */
export function shortText(text: string, limit = 200): string {
	return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
