import {Text} from 'ink';
import {useEffect, useState} from 'react';
import type {RequestWatch} from '../../wizard/request-watch.js';
import {useObservable} from '../hooks/use-observable.js';
import {Spinner} from './Spinner.js';

type Props = {
	message: string;
	/** The requests of the step: while one is waited for, a countdown to when it gives up. */
	requests?: RequestWatch;
};

export function Working({message, requests}: Props) {
	return (
		<Text>
			<Text color="cyan">
				<Spinner />
			</Text>{' '}
			{message}
			{requests ? <Countdown requests={requests} /> : null}
		</Text>
	);
}

function Countdown({requests}: {requests: RequestWatch}) {
	const wait = useObservable(requests);
	const [now, setNow] = useState(Date.now());
	useEffect(() => {
		if (!wait) {
			return undefined;
		}

		setNow(Date.now());
		const timer = setInterval(() => setNow(Date.now()), 1000);
		return () => clearInterval(timer);
	}, [wait]);
	// Shown after the first second: a quick answer needs no countdown.
	if (!wait || wait.deadline - now > wait.total - 1000) {
		return null;
	}

	const left = Math.max(0, Math.ceil((wait.deadline - now) / 1000));
	return <Text dimColor>{` · waiting for ${wait.host}: gives up in ${left} s`}</Text>;
}
