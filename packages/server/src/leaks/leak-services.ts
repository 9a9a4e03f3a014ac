import type { FailureThrottle } from '../auth/failure-throttle.js';
import type { Store } from '../store/store.js';
import type { GithubKeys } from './github-keys.js';
import type { LeakService } from './leak-service.js';

/** What the leak endpoints call: the one handler, GitHub's key set, the public report throttle, the store's prefixes. */
export interface LeakServices {
  handler: LeakService;
  githubKeys: GithubKeys;
  /** Every public report counts against its IP's budget. */
  reportThrottle: FailureThrottle;
  store: Pick<Store, 'listKeyPrefixes'>;
}
