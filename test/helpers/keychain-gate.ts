export {requireKeychain} from './keychain.js';
