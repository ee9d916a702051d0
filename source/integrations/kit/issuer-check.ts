import {describeError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';
import {discover} from './discover.js';

/**
 * After registration: reads the discovery document once so a wrong issuer shows up in the result
 * screen. A failure is a warning here; the verification checks decide.
 */
export async function confirmIssuer(context: IntegrationContext, issuer: string, idp: string): Promise<string[]> {
	context.progress(`${idp}: reading the discovery document`);
	try {
		await discover(context, issuer, idp);
		return [];
	} catch (error) {
		const {message, hint} = describeError(error);
		return [`The issuer ${issuer} could not be confirmed: ${message}${hint ? ` ${hint}` : ''}`];
	}
}
