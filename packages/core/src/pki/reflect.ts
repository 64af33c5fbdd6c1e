/**
 * The Reflect metadata functions tsyringe (a dependency of @peculiar/x509)
 * requires before it loads: getMetadata, getOwnMetadata, defineMetadata,
 * hasMetadata, metadata. A minimal WeakMap implementation, installed only
 * when no polyfill (reflect-metadata, core-js) is present. Import this module
 * before `@peculiar/x509` (keys.ts does).
 */
type Target = object;
type MetadataMap = Map<unknown, unknown>;

const R = Reflect as unknown as Record<string, unknown>;

if (typeof R.getMetadata !== 'function') {
  const store = new WeakMap<Target, Map<PropertyKey | undefined, MetadataMap>>();
  const own = (target: Target, prop: PropertyKey | undefined, create: boolean): MetadataMap | undefined => {
    let byProp = store.get(target);
    if (!byProp && create) {
      byProp = new Map();
      store.set(target, byProp);
    }
    let map = byProp?.get(prop);
    if (!map && create && byProp) {
      map = new Map();
      byProp.set(prop, map);
    }
    return map;
  };
  const getOwn = (key: unknown, target: Target, prop?: PropertyKey) => own(target, prop, false)?.get(key);
  const get = (key: unknown, target: Target, prop?: PropertyKey): unknown => {
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t)) {
      const map = own(t, prop, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  const define = (key: unknown, value: unknown, target: Target, prop?: PropertyKey) => {
    own(target, prop, true)?.set(key, value);
  };
  Object.assign(R, {
    getOwnMetadata: getOwn,
    getMetadata: get,
    defineMetadata: define,
    hasMetadata: (key: unknown, target: Target, prop?: PropertyKey) => get(key, target, prop) !== undefined,
    hasOwnMetadata: (key: unknown, target: Target, prop?: PropertyKey) =>
      own(target, prop, false)?.has(key) ?? false,
    metadata: (key: unknown, value: unknown) => (target: Target, prop?: PropertyKey) =>
      define(key, value, target, prop),
  });
}

export {};
