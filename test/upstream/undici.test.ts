// The sidecar loads undici's Pool by its file path to keep start-up lean; this pins that path to
// the class the package exports, so an undici upgrade that moves it fails here, not in production.
import t from 'tap';
import * as undiciIndex from 'undici';
import { Pool, undici } from '../../src/util/undici.js';

t.test('the Pool loaded by path is the one undici exports', async (t) => {
  t.equal(Pool, undiciIndex.Pool);
  t.equal(undici().FormData, undiciIndex.FormData, 'the lazily loaded package is the same module instance');
});
