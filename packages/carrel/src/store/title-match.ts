/**
 * How a document listing's `title` filter matches, the same on both stores: the title contains
 * the filter's text once both are lowercased by Unicode's default case mapping, which no locale
 * changes (`ÜBER` finds "Über", `σοφία` finds "ΣΟΦΊΑ"), and the text is literal (`%` and `_` are
 * characters, not wildcards). SQLite lowercases titles through {@link TITLE_LOWER_FUNCTION},
 * registered on every connection; PostgreSQL through ICU's root collation (`und-x-icu`), since
 * `lower()` under the database's own collation folds by its locale (ASCII only under `C`); a
 * server built without ICU (`--without-icu`, rare) fails the filter naming the missing collation.
 *
 * @module
 */

/** The filter text as titles are compared with it. */
export const lowerTitle = (text: string): string => text.toLowerCase();

/** The SQLite function that lowercases a title as {@link lowerTitle} does. */
export const TITLE_LOWER_FUNCTION = 'carrel_lower';
