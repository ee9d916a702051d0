import {Text, useInput} from 'ink';
import {useRef, useState} from 'react';

type Props = {
	/** The value it starts with; remount (change `key`) to start over. */
	initial: string;
	placeholder?: string;
	/** Shown instead of each character (secrets). */
	mask?: string;
	onChange?(value: string): void;
	onSubmit(value: string): void;
};

/**
 * A one-line text input. Unlike ink-text-input it keeps the value in a ref, so keys that arrive
 * faster than React re-renders (fast typing, paste, SSH) are never lost or reordered.
 */
export function TextField({initial, placeholder, mask, onChange, onSubmit}: Props) {
	const value = useRef(initial);
	const cursor = useRef(initial.length);
	const [, rerender] = useState(0);
	const update = (next: string, nextCursor: number) => {
		value.current = next;
		cursor.current = Math.max(0, Math.min(nextCursor, next.length));
		rerender((count) => count + 1);
		onChange?.(next);
	};

	useInput((input, key) => {
		const text = value.current;
		const at = cursor.current;
		if (key.return) {
			onSubmit(text);
		} else if (key.backspace || key.delete) {
			if (at > 0) {
				update(text.slice(0, at - 1) + text.slice(at), at - 1);
			}
		} else if (key.leftArrow) {
			update(text, at - 1);
		} else if (key.rightArrow) {
			update(text, at + 1);
		} else if (key.ctrl && input === 'u') {
			update(text.slice(at), 0);
		} else if (key.ctrl && input === 'a') {
			update(text, 0);
		} else if (key.ctrl && input === 'e') {
			update(text, text.length);
		} else if (!key.ctrl && !key.meta && !key.escape && !key.tab && !key.upArrow && !key.downArrow && input) {
			// eslint-disable-next-line no-control-regex
			const clean = input.replace(/[\u0000-\u001F\u007F]/g, '');
			if (clean) {
				update(text.slice(0, at) + clean + text.slice(at), at + clean.length);
			}
		}
	});

	const shown = mask ? mask.repeat(value.current.length) : value.current;
	if (shown === '') {
		return (
			<Text>
				<Text inverse> </Text>
				{placeholder ? <Text dimColor>{placeholder}</Text> : null}
			</Text>
		);
	}

	const at = cursor.current;
	return (
		<Text>
			{shown.slice(0, at)}
			<Text inverse>{shown[at] ?? ' '}</Text>
			{shown.slice(at + 1)}
		</Text>
	);
}
