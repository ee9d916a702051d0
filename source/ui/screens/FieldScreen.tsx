import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {checkField} from '../../core/fields.js';
import type {Field} from '../../core/flows/schema.js';
import {Menu} from '../components/Menu.js';
import {TextField} from '../components/TextField.js';

type Props = {
	field: Field;
	initial: string;
	/** A secret is already stored (keychain or environment): Enter keeps it. */
	secretStored: boolean;
	scopeSeparator: ',' | ' ';
	onSubmit(value: string): Promise<string | undefined>;
};

/** One question. Validates as the person types; Enter is refused while the value is invalid. */
export function FieldScreen({field, initial, secretStored, scopeSeparator, onSubmit}: Props) {
	const [value, setValue] = useState(initial);
	const [submitError, setSubmitError] = useState<string>();
	useEffect(() => {
		setValue(initial);
		setSubmitError(undefined);
	}, [field.key, initial]);

	const submit = async (raw: string) => {
		setSubmitError(await onSubmit(raw));
	};

	if (field.kind === 'boolean' || field.kind === 'choice') {
		const items = field.kind === 'boolean' ? [{label: 'Yes', value: 'true'}, {label: 'No', value: 'false'}] : (field.choices ?? []).map((choice) => ({label: choice.label, value: choice.value}));
		return (
			<Box flexDirection="column">
				{field.help ? <Text dimColor>{field.help}</Text> : null}
				<Box marginTop={1}>
					<Menu key={field.key} items={items} initialValue={initial} onSelect={(choice) => void submit(choice)} />
				</Box>
			</Box>
		);
	}

	const live = value === '' ? undefined : checkField(field, value, scopeSeparator);
	const placeholder = field.kind === 'secret' ? (secretStored ? '(stored in keychain: Enter keeps it)' : field.optional ? '(optional: Enter skips)' : '') : (field.placeholder ?? (field.optional ? '(optional)' : ''));
	return (
		<Box flexDirection="column">
			{field.help ? <Text dimColor>{field.help}</Text> : null}
			<Box marginTop={1}>
				<Text color="cyan">{'› '}</Text>
				<TextField
					key={field.key}
					initial={initial}
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
			{live?.ok && field.kind === 'url' && live.value !== value.trim() ? <Text dimColor>Will be saved as {live.value}</Text> : null}
		</Box>
	);
}
