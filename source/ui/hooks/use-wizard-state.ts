import {useEffect, useState} from 'react';
import type {WizardController, WizardState} from '../../wizard/controller.js';

/** Subscribes a component to the controller's state. */
export function useWizardState(controller: WizardController): WizardState {
	const [state, setState] = useState(controller.state);
	useEffect(() => {
		setState(controller.state);
		return controller.subscribe(setState);
	}, [controller]);
	return state;
}
