import {printableText} from '../core/text.js';
import type {Checklist} from './build.js';
import {wrapLine} from './wrap.js';

export const checklistFormats = ['markdown', 'text', 'json'] as const;
export type ChecklistFormat = (typeof checklistFormats)[number];

/** `width`: where the text format wraps (see terminalWidth); Markdown and JSON are never wrapped. */
export function formatChecklist(checklist: Checklist, format: ChecklistFormat, options: {width?: number} = {}): string {
	switch (format) {
		case 'json': {
			return `${JSON.stringify(checklist, null, 2)}\n`;
		}

		// Values and flow text come from outside: never a raw escape sequence to a terminal or a file someone cats.
		case 'markdown': {
			return printableText(toMarkdown(checklist));
		}

		case 'text': {
			return printableText(toText(checklist, options.width));
		}
	}
}

function toMarkdown(checklist: Checklist): string {
	const lines = [`# ${checklist.title}`, '', '## Values', '', '| What | Value |', '|---|---|'];
	for (const item of checklist.values) {
		lines.push(`| ${item.label} | ${item.note ? item.value : `\`${item.value}\``} |`);
	}

	if (checklist.warnings.length > 0) {
		lines.push('', '## Before you start');
		for (const warning of checklist.warnings) {
			lines.push('', `> **⚠ ${warning.title}**`, ...warning.text.split('\n').map((line) => `> ${line}`.trimEnd()));
		}
	}

	for (const section of checklist.sections) {
		lines.push('', `## ${section.title}`, '');
		section.steps.forEach((step, index) => {
			lines.push(`${index + 1}. **${step.title}**`);
			for (const line of step.text.split('\n')) {
				lines.push(line === '' ? '' : `   ${line}`);
			}
		});
	}

	if (checklist.notes.length > 0) {
		lines.push('', '## Notes', '');
		for (const note of checklist.notes) {
			lines.push(`- **${note.title}**: ${note.text}`);
		}
	}

	return `${lines.join('\n')}\n`;
}

/** Markdown marks removed, for terminals. */
export function plain(text: string): string {
	return text.replaceAll(/^[ \t]*```[a-z]*[ \t]*(?:\n|$)/gm, '').replaceAll('**', '').replaceAll(/`([^`]*)`/g, '$1');
}

/** Plain text: no Markdown marks, for terminals and tickets. */
function toText(checklist: Checklist, wrapWidth: number | undefined): string {
	const width = Math.max(...checklist.values.map((item) => item.label.length));
	const lines = [checklist.title, '='.repeat(checklist.title.length), '', 'Values:'];
	// A value (often a URL) is never wrapped: it goes whole on the next line when it does not fit.
	for (const item of checklist.values) {
		const line = `  ${item.label.padEnd(width)}  ${item.value}`;
		lines.push(...(wrapWidth !== undefined && line.length > wrapWidth ? [`  ${item.label}`, `    ${item.value}`] : [line]));
	}

	const wrapped = (line: string) => wrapLine(line, wrapWidth);
	if (checklist.warnings.length > 0) {
		lines.push('', 'Before you start:');
		for (const warning of checklist.warnings) {
			lines.push(...wrapped(`  ! ${plain(warning.title)}`), ...plain(warning.text).split('\n').flatMap((line) => wrapped(`    ${line}`.trimEnd())));
		}
	}

	for (const section of checklist.sections) {
		lines.push('', section.title, '-'.repeat(section.title.length));
		section.steps.forEach((step, index) => {
			lines.push(...wrapped(`  ${index + 1}. ${plain(step.title)}`));
			for (const {line, code} of plainLines(step.text)) {
				lines.push(...(line.trim() === '' ? [''] : code ? [`     ${line}`] : wrapped(`     ${line}`)));
			}
		});
	}

	if (checklist.notes.length > 0) {
		lines.push('', 'Notes:');
		for (const note of checklist.notes) {
			lines.push(...wrapped(`  - ${plain(note.title)}: ${plain(note.text)}`));
		}
	}

	return `${lines.join('\n')}\n`;
}

/** The lines of a step without Markdown marks; `code`: inside a code block (never wrapped). */
function plainLines(text: string): Array<{line: string; code: boolean}> {
	let inCode = false;
	return text.split('\n').flatMap((line) => {
		if (/^[ \t]*```/.test(line)) {
			inCode = !inCode;
			return [];
		}

		return [{line: inCode ? line : plain(line), code: inCode}];
	});
}
