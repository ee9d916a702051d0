import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

/** The terminal's size, updated on resize; `rows` is undefined when the output is not a terminal. */
export function useTerminalSize(): {columns: number; rows: number | undefined} {
	const {stdout} = useStdout();
	const read = () => ({columns: stdout.columns > 0 ? stdout.columns : 80, rows: stdout.rows > 0 ? stdout.rows : undefined});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const update = () => setSize(read());
		stdout.on('resize', update);
		return () => {
			stdout.off('resize', update);
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [stdout]);
	return size;
}
