// The drivers by name (`--driver NAME`, repeatable; each runs as the agent of its name).
import { chromiumDriver } from './chromium.js';
import { nodeDriver, undiciDriver, wsDriver } from './libraries.js';
import { referenceDriver } from './reference.js';
import type { Driver, DriverName } from './types.js';

export { DRIVER_NAMES, DriverSetupError, type Driver, type DriverContext, type DriverName } from './types.js';

export function makeDriver(name: DriverName, opts: { chromiumPath?: string } = {}): Driver {
  switch (name) {
    case 'reference':
      return referenceDriver();
    case 'ws':
      return wsDriver();
    case 'undici':
      return undiciDriver();
    case 'node':
      return nodeDriver();
    case 'chromium':
      return chromiumDriver(opts.chromiumPath !== undefined ? { executablePath: opts.chromiumPath } : {});
  }
}
