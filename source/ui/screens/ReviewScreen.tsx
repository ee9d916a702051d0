import {Box, Text} from 'ink';
import type {SessionView} from '../../wizard/machine.js';
import {fieldDefault} from '../../core/flows/pair.js';
import {currentValues, hasAdminCredential, hasAppCredential, visibleFields} from '../../wizard/machine.js';
import {Frame, frameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {type Line, needsPaging, Paged} from '../components/Paged.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {wrapToWidth} from '../layout/wrap.js';

type Props = {
	view: SessionView;
	automated: boolean;
	storage: 'keychain' | 'memory' | 'pending';
	context?: string;
	notice?: string;
	onContinue(): void;
	onEdit(): void;
	onQuit(): void;
};

const derivedRows: Array<[string, string]> = [
	['redirect_uri', 'Redirect URI'],
	['issuer', 'Issuer'],
	['fallback_login_url', 'Local admin sign-in'],
];

const menuItems = [
	{label: 'Continue', value: 'continue'},
	{label: 'Edit the answers', value: 'edit'},
	{label: 'Save and quit (resume later)', value: 'quit'},
];

/**
 * Everything entered, secrets masked, plus the values derived from it. Values wrap instead of being
 * cut; when the list is longer than the terminal, it pages (the header and the menu stay).
 */
export function ReviewScreen({view, automated, storage, context, notice, onContinue, onEdit, onQuit}: Props) {
	const size = useTerminalSize();
	const pagingHints = '↑↓ Enter: choose · PgDn/PgUp: more · Esc: back · Ctrl+C: save and quit';
	// The footer with the paging keys, for the room it leaves (the longer one of the two).
	const space = frameSpace(size, {title: 'Review', context, notice, hints: pagingHints});
	const width = space.width;
	const values = currentValues(view);
	const fields = visibleFields(view);
	const secrets = fields.filter((field) => field.kind === 'secret' && view.presentSecrets.has(field.key)).map((field) => field.label.replace(/ \(.*\)$/, ''));
	// Optional settings left empty or at their default are summed up in one line.
	const atDefault = (field: (typeof fields)[number]) => {
		const value = view.session.answers[field.key] ?? '';
		return value === '' ? field.optional : (field.optional || field.kind === 'boolean') && value === (fieldDefault(view.pair, field, view.session.answers) ?? '');
	};

	const row = (label: string, value: string, color?: string): Line[] =>
		wrapToWidth(`${label}: ${value}`, width, '  ').map((text, index) => (index === 0 ? [{text: text.slice(0, label.length + 2), dim: true}, {text: text.slice(label.length + 2), color}] : [{text, color}]));
	const lines: Line[] = [
		...fields
			.filter((field) => field.kind !== 'secret' && !atDefault(field))
			.flatMap((field) => {
				const value = view.session.answers[field.key] ?? '';
				return row(field.label, field.kind === 'boolean' ? (value === 'true' ? 'yes' : 'no') : value);
			}),
		...row(`Secrets (${storage === 'memory' ? 'kept in memory for this run' : 'in the keychain'}, shown as ••••••)`, secrets.length > 0 ? secrets.join(', ') : 'none'),
	];
	const hidden = fields.filter((field) => field.kind !== 'secret' && atDefault(field)).length;
	if (hidden > 0) {
		lines.push(...wrapToWidth(`${hidden} more ${hidden === 1 ? 'setting is' : 'settings are'} empty or at the default (Edit the answers to see them).`, width).map((text) => [{text, dim: true}]));
	}

	const derived = derivedRows.filter(([key]) => values[key]);
	if (derived.length > 0) {
		lines.push([], ...derived.flatMap(([key, label]) => row(label, values[key]!, 'cyan')));
	}

	const next = automated
		? `Next: ${[hasAdminCredential(view) ? `register the client in ${view.pair.idp.name}` : '', hasAppCredential(view) ? `apply the settings in ${view.pair.app.name}` : ''].filter(Boolean).join(', then ')} (a plan is shown before anything is written), then the checklist of what is left.`
		: `Next: the checklist of what to do by hand in ${view.pair.idp.name} and ${view.pair.app.name}, with your values filled in.`;
	const nextLines = wrapToWidth(next, width);
	// What stays on screen besides the list: the next step and the menu.
	const height = space.lines === undefined ? undefined : space.lines - (1 + nextLines.length) - (1 + menuItems.length);
	const paging = needsPaging(lines.length, height);
	return (
		<Frame title="Review" context={context} notice={notice} hints={paging ? pagingHints : '↑↓ Enter: choose · Esc: back · Ctrl+C: save and quit'}>
			<Paged lines={lines} height={height} />
			<Box marginTop={1} flexDirection="column">
				{nextLines.map((text, index) => (
					<Text key={index}>{text}</Text>
				))}
			</Box>
			<Box marginTop={1}>
				<Menu items={menuItems} onSelect={(value) => (value === 'continue' ? onContinue() : value === 'edit' ? onEdit() : onQuit())} />
			</Box>
		</Frame>
	);
}
