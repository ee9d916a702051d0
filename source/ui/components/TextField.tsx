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
			// Keys that arrive together come as one chunk: "ab\x7f\x7f\r" is two letters, two backspaces and Enter.
			const edited = applyTyped(text, at, input);
			if (edited.text !== text || edited.cursor !== at) {
				update(edited.text, edited.cursor);
			}

			if (edited.submitted) {
				onSubmit(edited.text);
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

/**
 * Applies a chunk of keys in order: printable characters go in at the cursor, backspaces delete
 * before it, and Enter ends the chunk (what follows it belongs to the next screen).
 */
export function applyTyped(text: string, cursor: number, chunk: string): {text: string; cursor: number; submitted: boolean} {
	let before = text.slice(0, cursor);
	const after = text.slice(cursor);
	for (const character of chunk) {
		if (character === '\r' || character === '\n') {
			return {text: before + after, cursor: before.length, submitted: true};
		}

		if (character === '\u007F' || character === '\b') {
			before = before.slice(0, -1);
		} else if (!/[\u0000-\u001F]/.test(character)) {
			before += character;
		}
	}

	return {text: before + after, cursor: before.length, submitted: false};
}
