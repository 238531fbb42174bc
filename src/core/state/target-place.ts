import type { Endpoint, TargetPlace } from '../chroma/endpoint.js';
import type { MigrationState } from './schema.js';

/**
 * Where the runs put the data on the server at `url`, from their import checkpoints: the tenant
 * when every one went to one tenant, the database likewise (a file of several databases has none
 * alone). Empty when nothing was written there.
 */
export function placeInState(state: Pick<MigrationState, 'imports'>, url: string): TargetPlace {
  // A checkpoint's target is URL/tenant/database.
  const places = state.imports.filter((entry) => entry.target.startsWith(`${url}/`)).map((entry) => entry.target.slice(url.length + 1).split('/'));
  const only = (at: number): string | undefined => {
    const names = new Set(places.map((place) => place[at]));
    return names.size === 1 ? [...names][0] : undefined;
  };
  return { tenant: only(0), database: only(1) };
}

/** The endpoint moved to the parts of `place` that are known; the others stay as they were. */
export function withPlace(target: Endpoint, place: TargetPlace): Endpoint {
  return { ...target, ...(place.tenant ? { tenant: place.tenant } : {}), ...(place.database ? { database: place.database } : {}) };
}
