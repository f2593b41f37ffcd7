// Versions travel as ETags ("<version>"); a change needs the version it was based on (If-Match).
import { z } from 'zod';
import { ApiError } from './errors.js';

export const etag = (version: number) => `"${version}"`;

export const IfMatchHeader = z
  .string()
  .max(100)
  .optional()
  .describe('the version the change is based on, as the ETag it came with: "3" (required on changes)');

/** The version an If-Match header names: 428 when it is missing, 400 when it is not a version ETag. */
export function requiredVersion(header: string | undefined): number {
  if (header === undefined || header.trim() === '')
    throw new ApiError(428, {
      error: 'precondition-required',
      message: 'this change needs If-Match with the current version (the ETag of the last read, e.g. If-Match: "3")',
    });
  return parseVersion(header);
}

/** An optional If-Match header's version, or null. */
export function optionalVersion(header: string | undefined): number | null {
  return header === undefined || header.trim() === '' ? null : parseVersion(header);
}

function parseVersion(header: string): number {
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match)
    throw new ApiError(400, {
      error: 'invalid-request',
      message: 'If-Match must be a version ETag such as "3"',
      problems: [{ path: '$.headers.if-match', message: `'${header.slice(0, 40)}' is not a version ETag such as "3"` }],
    });
  return Number(match[1]);
}

export const stale = (current: unknown, version: number) =>
  new ApiError(412, {
    error: 'stale',
    message: `the version in If-Match is not the current one (${version}); read it again and retry`,
    current,
  });
