/** What to do with a collection that already exists on the target. */
export type ExistsChoice = 'recreate' | 'append' | 'abort';
export type IfExists = ExistsChoice | 'ask';
