import {useEffect, useState} from 'react';
import type {Observable} from '../../wizard/observable.js';

export function useObservable<T>(observable: Observable<T>): T {
	const [state, setState] = useState(observable.state);
	useEffect(() => {
		setState(observable.state);
		return observable.subscribe(setState);
	}, [observable]);
	return state;
}
