/** A host name (as URL#hostname writes it) that only reaches this machine: 127.0.0.0/8, ::1, localhost and *.localhost (RFC 6761). */
export function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
