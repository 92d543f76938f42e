export { openPtyPair, type PtyPair, type PtyPairOptions } from '../../src/hardware/virtual-port.js';
