export { openPtyPair, type PtyPair, type PtyPairOptions } from '../../hardware/virtual-port.js';
