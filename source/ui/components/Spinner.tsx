import {Text} from 'ink';
import {useEffect, useState} from 'react';

/** cli-spinners' "dots", the one spinner the wizard uses (ink-spinner would bring all 80 of them). */
const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const intervalMs = 80;

export function Spinner() {
	const [frame, setFrame] = useState(0);
	useEffect(() => {
		const timer = setInterval(() => setFrame((previous) => (previous + 1) % frames.length), intervalMs);
		return () => clearInterval(timer);
	}, []);
	return <Text>{frames[frame]}</Text>;
}
