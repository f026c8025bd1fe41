export { createSessionActivities } from './activities';
export type { SessionActivities, SessionActivitiesDeps } from './activities';
