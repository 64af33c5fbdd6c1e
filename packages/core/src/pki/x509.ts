/**
 * @peculiar/x509, ready to use: the Reflect polyfill it needs is loaded first
 * and node's WebCrypto is its crypto provider. Every PKI module imports x509
 * from here, never from the package directly.
 */
import './reflect.js';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
