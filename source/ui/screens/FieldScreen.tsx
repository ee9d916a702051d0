import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {checkField} from '../../core/fields.js';
import type {Field} from '../../core/flows/schema.js';
import {Menu} from '../components/Menu.js';
import {TextField} from '../components/TextField.js';
import {Working} from '../components/Working.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {wrapToWidth} from '../layout/wrap.js';
import type {FieldOption} from '../../integrations/types.js';

type Props = {
	field: Field;
	initial: string;
	/** A secret is already stored (keychain or environment): Enter keeps it. */
	secretStored: boolean;
	scopeSeparator: ',' | ' ';
	onSubmit(value: string, companions?: Record<string, string>): Promise<string | undefined>;
	/** For fields with `options_from`: the list to pick from (or why there is none). */
	loadOptions?(): Promise<{options?: FieldOption[]; error?: string}>;
};

/** The field's help, wrapped at words to the terminal (Ink's own wrap leaves a space at the start of lines). */
function Help({text}: {text: string | undefined}) {
	const {columns} = useTerminalSize();
	if (!text) {
		return null;
	}

	return (
		<Box flexDirection="column">
			{wrapToWidth(text, Math.max(columns - 1, 20)).map((line, index) => (
				<Text key={index} dimColor>
					{line}
				</Text>
			))}
		</Box>
	);
}

const typeInstead = '\u0000type';
const typeOther = '\u0000other';

/** One question. Validates as the person types; Enter is refused while the value is invalid. */
export function FieldScreen({field, initial, secretStored, scopeSeparator, onSubmit, loadOptions}: Props) {
	const [value, setValue] = useState(initial);
	const [submitError, setSubmitError] = useState<string>();
	const [choices, setChoices] = useState<{loading: boolean; options?: FieldOption[]; error?: string; typing?: boolean}>({loading: Boolean(loadOptions)});
	// A choice with an "other" item starts typing when the saved value is not one of the choices.
	const [typingOther, setTypingOther] = useState(Boolean(field.other && initial !== '' && !field.choices?.some((choice) => choice.value === initial)));
	useEffect(() => {
		setValue(initial);
		setSubmitError(undefined);
	}, [field.key, initial]);
	useEffect(() => {
		let current = true;
		if (loadOptions) {
			setChoices({loading: true});
			void loadOptions().then((result) => {
				if (current) {
					setChoices({loading: false, ...result});
				}
			});
		}

		return () => {
			current = false;
		};
		// Load once per field: `loadOptions` is a new function on every render.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [field.key]);

	const submit = async (raw: string, companions?: Record<string, string>) => {
		// A typed value that is on the list brings what comes with it (the registry's URL with its ID).
		const listed = companions ?? choices.options?.find((option) => option.value === raw.trim())?.values;
		setSubmitError(await onSubmit(raw, listed));
	};

	if (choices.loading) {
		return <Working message={`Reading the list for ${field.label}…`} />;
	}

	if (choices.options && !choices.typing) {
		const options = choices.options;
		return (
			<Box flexDirection="column">
				<Help text={field.help} />
				<Box marginTop={1}>
					<Menu
						key={field.key}
						items={[...options.map((option) => ({label: option.label, value: option.value})), {label: 'Type a value instead', value: typeInstead}]}
						initialValue={initial}
						onSelect={(picked) => {
							if (picked === typeInstead) {
								setChoices({...choices, typing: true});
								return;
							}

							void submit(picked, options.find((option) => option.value === picked)?.values);
						}}
					/>
				</Box>
				{submitError ? <Text color="red">✖ {submitError}</Text> : null}
			</Box>
		);
	}

	if (field.kind === 'boolean' || (field.kind === 'choice' && !typingOther)) {
		const items =
			field.kind === 'boolean'
				? [{label: 'Yes', value: 'true'}, {label: 'No', value: 'false'}]
				: [...(field.choices ?? []).map((choice) => ({label: choice.label, value: choice.value})), ...(field.other ? [{label: field.other, value: typeOther}] : [])];
		return (
			<Box flexDirection="column">
				<Help text={field.help} />
				<Box marginTop={1}>
					<Menu
						key={field.key}
						items={items}
						initialValue={initial}
						onSelect={(choice) => {
							if (choice === typeOther) {
								setValue(field.choices?.some((item) => item.value === value) ? '' : value);
								setTypingOther(true);
								return;
							}

							void submit(choice);
						}}
					/>
				</Box>
				{submitError ? <Text color="red">✖ {submitError}</Text> : null}
			</Box>
		);
	}

	const live = value === '' ? undefined : checkField(field, value, scopeSeparator);
	const placeholder = field.kind === 'secret' ? (secretStored ? '(already given: Enter keeps it)' : field.optional ? '(optional: Enter skips)' : '') : (field.placeholder ?? (field.optional ? '(optional)' : ''));
	const typedHint = typingOther ? <Text>{field.other}:</Text> : null;
	return (
		<Box flexDirection="column">
			<Help text={field.help} />
			{choices.error ? <Text color="yellow">The list could not be read ({choices.error}); type the value.</Text> : null}
			{typedHint}
			<Box marginTop={1}>
				<Text color="cyan">{'› '}</Text>
				<TextField
					key={field.key}
					initial={typingOther ? value : initial}
					placeholder={placeholder}
					mask={field.kind === 'secret' ? '•' : undefined}
					onChange={(next) => {
						setValue(next);
						setSubmitError(undefined);
					}}
					onSubmit={(raw) => void submit(raw)}
				/>
			</Box>
			{submitError ? <Text color="red">✖ {submitError}</Text> : live && !live.ok ? <Text color="red">✖ {live.error}</Text> : null}
			{live?.ok && live.warning ? <Text color="yellow">⚠ {live.warning}</Text> : null}
			{live?.ok && live.notice ? <Text dimColor>{live.notice}</Text> : live?.ok && field.kind === 'url' && live.value !== value.trim() ? <Text dimColor>Will be saved as {live.value}</Text> : null}
		</Box>
	);
}
