// Values crossing to native code as JSON text.

/** `value` as JSON text: a string is taken to be JSON already (so big numbers stay exact), anything else is serialized. */
export const toJson = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
