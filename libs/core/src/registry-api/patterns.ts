/**
 * The registry API's string rules as regular expressions, so that the OpenAPI document states exactly what the
 * service enforces (issue 10 item 7). Written without lookarounds: property-based testers (schemathesis)
 * generate from them.
 */

/** A component name as published: `NAME_RE` of schema/common.ts, spelt without its lookahead. */
export const COMPONENT_NAME = '^[a-z0-9]+(?:-[a-z0-9]+)*$';

/** A name as looked up: any spelling that may normalise to a component name (`Qdrant_Adapter`). */
export const LOOKUP_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

/** 0 … 2³¹−1: the version parts are PostgreSQL `integer` columns. */
const PART = '(?:0|[1-9]\\d{0,8}|1\\d{9}|20\\d{8}|21[0-3]\\d{7}|214[0-6]\\d{6}|2147[0-3]\\d{5}|21474[0-7]\\d{4}|214748[0-2]\\d{3}|2147483[0-5]\\d{2}|21474836[0-3]\\d|214748364[0-7])';
const PRE_ID = '(?:0|[1-9]\\d{0,15}|\\d*[A-Za-z-][0-9A-Za-z-]*)';

/** An exact semver version without build metadata (what `Version` accepts), each part below 2³¹. */
export const EXACT_VERSION = `^${PART}\\.${PART}\\.${PART}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?$`;

const NUM = '(?:0|[1-9]\\d{0,8})';
const X = '[xX*]';
/**
 * A partial version: numbers first, then wildcards (`1`, `1.2`, `1.2.3-rc.1`, `1.x`, `1.2.*`, `x.x`). node-semver 7
 * refuses a number after a wildcard in a comparator (`<X.0.1`, `>=1.x.2`: "Invalid comparator"), which the grammar in
 * its README allows — schemathesis generated one; so the pattern does not either.
 */
const PARTIAL = `v?(?:${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?|\\.${X})?|\\.${X}(?:\\.${X})?)?|${X}(?:\\.${X}(?:\\.${X})?)?)`;
const PRIMITIVE = `(?:(?:<=?|>=?|=|~>?|\\^) ?)?${PARTIAL}`;
const SIMPLE_RANGE = `(?:${PARTIAL} - ${PARTIAL}|${PRIMITIVE}(?: ${PRIMITIVE})*)`;

/**
 * A semver range in node-semver's grammar (`^1.4`, `>=2 <3`, `1.x || >=2.5.0`, `1.2 - 2`, `*`): single spaces,
 * at most one after an operator. Every string it matches is a valid range (tested).
 */
export const RANGE = `^${SIMPLE_RANGE}(?: \\|\\| ${SIMPLE_RANGE})*$`;

/** Free text (search queries, token names, yank reasons): printable, no control characters (NUL reaches PostgreSQL as an error). */
export const PLAIN_TEXT = '^[^\\u0000-\\u001f\\u007f]*$';

const YEAR = '(?:19[7-9]\\d|2\\d{3})';
const LEAP_YEAR = '(?:19(?:7[26]|8[048]|9[26])|2\\d(?:0[48]|[2468][048]|[13579][26])|2[048]00)';
const MONTH_DAY = '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))';
const TIME = 'T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';

/** An RFC 3339 timestamp between 1970 and 2999 (a token expiry PostgreSQL and JavaScript both hold). */
export const TIMESTAMP_1970_2999 = `^(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)${TIME}$`;

export const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** An `If-None-Match` value: visible ASCII (entity tags, `*`, lists of them); empty is refused. */
export const IF_NONE_MATCH = '^[\\x21-\\x7e][\\x20-\\x7e]*$';
